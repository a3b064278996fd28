//! Two small sorts for the few short lists the request paths sort (a case's co-handlers, its
//! timeline's rows, the departments' ranking, a cache key's query fields). `core`'s sorts are
//! fast on long inputs but each instantiation is 2–4 KB of wasm (quicksort, small-sorts,
//! pivots); these are a few hundred bytes and give the same order (docs/deploy-workers.md,
//! "Size").

use std::cmp::Ordering;

/// Sorts `v` ascending by heapsort: O(n log n) comparisons, no allocation, not stable. Gives
/// what `sort_unstable` gives wherever equal elements cannot be told apart.
pub fn heapsort<T: Ord>(v: &mut [T]) {
    fn sift<T: Ord>(v: &mut [T], mut root: usize, end: usize) {
        loop {
            let mut child = 2 * root + 1;
            if child >= end {
                return;
            }
            if child + 1 < end && v[child] < v[child + 1] {
                child += 1;
            }
            if v[root] >= v[child] {
                return;
            }
            v.swap(root, child);
            root = child;
        }
    }
    let n = v.len();
    for i in (0..n / 2).rev() {
        sift(v, i, n);
    }
    for end in (1..n).rev() {
        v.swap(0, end);
        sift(v, 0, end);
    }
}

/// Sorts `v` by `compare`, stably, by insertion: O(n²) comparisons, so only for short bounded
/// lists (the departments an administrator names, a request's at most 64 query fields); the
/// same order as `sort_by`.
pub fn insertion_sort_by<T>(v: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && compare(&v[j - 1], &v[j]) == Ordering::Greater {
            v.swap(j - 1, j);
            j -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn heapsort_sorts_as_sort_unstable(mut v in proptest::collection::vec(any::<(i8, u8)>(), 0..200)) {
            let mut expected = v.clone();
            expected.sort_unstable();
            heapsort(&mut v);
            prop_assert_eq!(v, expected);
        }

        #[test]
        fn insertion_sort_is_sort_by(mut v in proptest::collection::vec(any::<(i8, u8)>(), 0..100)) {
            // Compared by the first field only: the second shows the order of equal ones.
            let mut expected = v.clone();
            expected.sort_by_key(|x| std::cmp::Reverse(x.0));
            insertion_sort_by(&mut v, |a, b| b.0.cmp(&a.0));
            prop_assert_eq!(v, expected);
        }
    }
}
