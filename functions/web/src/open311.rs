//! Open311 GeoReport v2 shared by the submit and lookup functions: formats, errors, XML.
