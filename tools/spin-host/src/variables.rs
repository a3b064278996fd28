//! `spin:variables/variables@3.0.0`: a component reads only the variables its manifest entry
//! declares, already resolved from the application's (`SPIN_VARIABLE_<NAME>` or default).

use wasmtime::component::Accessor;

use crate::bindings::spin::spin::variables::variables::{Error, Host, HostWithStore};
use crate::manifest::check_variable_name;
use crate::state::{SpinApi, SpinView};

impl Host for SpinView<'_> {}

impl<T> HostWithStore<T> for SpinApi {
    async fn get(
        accessor: &Accessor<T, Self>,
        name: String,
    ) -> wasmtime::Result<Result<String, Error>> {
        if let Err(e) = check_variable_name(&name) {
            return Ok(Err(Error::InvalidName(e.to_string())));
        }
        accessor.with(|mut access| {
            let view = access.get();
            Ok(match view.ctx.grants.variables.get(&name) {
                Some(value) => Ok(value.clone()),
                None => Err(Error::Undefined(format!(
                    "no variable for {:?}.{name:?}",
                    view.ctx.grants.component
                ))),
            })
        })
    }
}
