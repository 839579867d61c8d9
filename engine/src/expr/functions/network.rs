//! Network functions: cidrhost cidrnetmask cidrsubnet cidrsubnets, IPv4 and
//! IPv6. The prefix arithmetic lives in `expr/cidr.rs`; this maps its
//! errors onto the argument at fault.

use super::{Call, Function, row};
use crate::base::Value;
use crate::expr::cidr::{self, CidrError};
use crate::expr::error::ExprError;

/// This table's category, a heading of `skistack functions` and the README.
pub(super) const CATEGORY: &str = "network";

/// This category's rows of the function table.
pub(super) static ROWS: &[Function] = &[
    row(
        "cidrhost",
        "cidrhost(prefix, hostnum)",
        "the IP address of host number hostnum in prefix",
        2,
        Some(2),
        cidrhost,
    ),
    row(
        "cidrnetmask",
        "cidrnetmask(prefix)",
        "the netmask of the IPv4 prefix, in dotted decimal",
        1,
        Some(1),
        cidrnetmask,
    ),
    row(
        "cidrsubnet",
        "cidrsubnet(prefix, newbits, netnum)",
        "the netnum-th subnet of prefix with newbits more bits",
        3,
        Some(3),
        cidrsubnet,
    ),
    row(
        "cidrsubnets",
        "cidrsubnets(prefix, newbits, ...)",
        "consecutive subnets of prefix, one per newbits, each that many bits longer",
        1,
        None,
        cidrsubnets,
    ),
];

fn cidr_error(c: &Call<'_>, e: CidrError) -> ExprError {
    match e {
        CidrError::Prefix(m) => c.err(0, m),
        CidrError::Second(m) => c.err(1, m),
        CidrError::Third(m) => c.err(2, m),
        CidrError::At(i, m) => c.err(i, m),
    }
}

fn cidrhost(c: &Call<'_>) -> Result<Value, ExprError> {
    cidr::host(&c.str(0)?, c.int(1)?)
        .map(Value::String)
        .map_err(|e| cidr_error(c, e))
}

fn cidrnetmask(c: &Call<'_>) -> Result<Value, ExprError> {
    cidr::netmask(&c.str(0)?)
        .map(Value::String)
        .map_err(|e| cidr_error(c, e))
}

fn cidrsubnet(c: &Call<'_>) -> Result<Value, ExprError> {
    cidr::subnet(&c.str(0)?, c.int(1)?, c.int(2)?)
        .map(Value::String)
        .map_err(|e| cidr_error(c, e))
}

fn cidrsubnets(c: &Call<'_>) -> Result<Value, ExprError> {
    let newbits = (1..c.len())
        .map(|i| c.int(i))
        .collect::<Result<Vec<_>, _>>()?;
    cidr::subnets(&c.str(0)?, &newbits)
        .map(|l| Value::List(l.into_iter().map(Value::String).collect()))
        .map_err(|e| cidr_error(c, e))
}
