//! IPv4 and IPv6 prefix arithmetic for `cidrsubnet`, `cidrsubnets`,
//! `cidrhost` and `cidrnetmask`, with Terraform's semantics. Addresses are
//! held in a `u128` either way and every step is checked, so no prefix or
//! number overflows.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// Which argument of a CIDR function is at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum CidrError {
    /// The prefix string itself.
    Prefix(String),
    /// The second argument (`newbits` or `hostnum`).
    Second(String),
    /// The third argument (`netnum`).
    Third(String),
    /// Argument `n` (from 0) of a function taking several (`cidrsubnets`).
    At(usize, String),
}

/// A network prefix, normalised to its network address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cidr {
    addr: u128,
    len: u32,
    v6: bool,
}

/// The mask of the host part of a prefix of `len` bits out of `bits`.
fn host_mask(bits: u32, len: u32) -> u128 {
    let host = bits - len;
    if host >= 128 {
        u128::MAX
    } else {
        (1u128 << host) - 1
    }
}

impl Cidr {
    fn bits(&self) -> u32 {
        if self.v6 { 128 } else { 32 }
    }

    /// Parses `address/length`; host bits are cleared as Terraform does.
    pub(crate) fn parse(s: &str) -> Result<Cidr, String> {
        let bad = || format!("`{s}` is not a CIDR prefix (expected e.g. `10.0.0.0/16`)");
        let (addr, len) = s.split_once('/').ok_or_else(bad)?;
        let (addr, v6) = if let Ok(a) = addr.parse::<Ipv4Addr>() {
            (u128::from(u32::from(a)), false)
        } else if let Ok(a) = addr.parse::<Ipv6Addr>() {
            (u128::from(a), true)
        } else {
            return Err(bad());
        };
        if len.is_empty() || !len.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let bits = if v6 { 128 } else { 32 };
        let len = len
            .parse::<u32>()
            .ok()
            .filter(|l| *l <= bits)
            .ok_or_else(|| format!("prefix length in `{s}` must be at most {bits}"))?;
        Ok(Cidr {
            addr: addr & !host_mask(bits, len),
            len,
            v6,
        })
    }

    fn format_addr(&self, addr: u128) -> String {
        if self.v6 {
            Ipv6Addr::from(addr).to_string()
        } else {
            // IPv4 addresses never leave the low 32 bits.
            Ipv4Addr::from(addr as u32).to_string()
        }
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.format_addr(self.addr), self.len)
    }
}

/// Terraform's `cidrsubnet(prefix, newbits, netnum)`.
pub(crate) fn subnet(prefix: &str, newbits: i64, netnum: i64) -> Result<String, CidrError> {
    let base = Cidr::parse(prefix).map_err(CidrError::Prefix)?;
    let bits = base.bits();
    let extension = u32::try_from(newbits)
        .ok()
        .filter(|n| base.len + n <= bits)
        .ok_or_else(|| {
            CidrError::Second(format!(
                "insufficient address space to extend prefix of {} by {newbits}",
                base.len
            ))
        })?;
    let fits = u128::try_from(netnum)
        .ok()
        .filter(|n| extension >= 128 || *n < (1u128 << extension));
    let Some(num) = fits else {
        return Err(CidrError::Third(format!(
            "prefix extension of {newbits} does not accommodate a subnet numbered {netnum}"
        )));
    };
    let len = base.len + extension;
    // num < 2^extension, so shifting it into the host part keeps it below
    // 2^(bits - base.len): no overflow. A zero shift amount of 128 only
    // happens for num == 0.
    let offset = if num == 0 { 0 } else { num << (bits - len) };
    Ok(Cidr {
        addr: base.addr | offset,
        len,
        v6: base.v6,
    }
    .to_string())
}

/// Terraform's `cidrhost(prefix, hostnum)`; a negative `hostnum` counts back
/// from the end of the range.
pub(crate) fn host(prefix: &str, hostnum: i64) -> Result<String, CidrError> {
    let base = Cidr::parse(prefix).map_err(CidrError::Prefix)?;
    let host_bits = base.bits() - base.len;
    let size: Option<u128> = (host_bits < 128).then(|| 1u128 << host_bits);
    let out_of_range = || {
        CidrError::Second(format!(
            "prefix of {} does not accommodate a host numbered {hostnum}",
            base.len
        ))
    };
    let offset = if hostnum >= 0 {
        let n = hostnum.unsigned_abs() as u128;
        if size.is_some_and(|s| n >= s) {
            return Err(out_of_range());
        }
        n
    } else {
        let back = hostnum.unsigned_abs() as u128;
        match size {
            Some(s) if back <= s => s - back,
            Some(_) => return Err(out_of_range()),
            // A /0 IPv6 range: count back from the top of the address space.
            None => u128::MAX - (back - 1),
        }
    };
    Ok(base.format_addr(base.addr | offset))
}

/// Terraform's `cidrnetmask(prefix)`: the IPv4 netmask of the prefix.
pub(crate) fn netmask(prefix: &str) -> Result<String, CidrError> {
    let base = Cidr::parse(prefix).map_err(CidrError::Prefix)?;
    if base.v6 {
        return Err(CidrError::Prefix(format!(
            "`{prefix}` is an IPv6 prefix: only IPv4 prefixes have a netmask"
        )));
    }
    // The mask of a length in 0..=32 lies in the low 32 bits.
    let mask = !host_mask(32, base.len) as u32;
    Ok(Ipv4Addr::from(mask).to_string())
}

/// Terraform's `cidrsubnets(prefix, newbits...)`: consecutive subnets, each
/// `newbits[i]` longer than the prefix, every one starting at the first
/// address after the previous one that its own size aligns to.
pub(crate) fn subnets(prefix: &str, newbits: &[i64]) -> Result<Vec<String>, CidrError> {
    let base = Cidr::parse(prefix).map_err(CidrError::Prefix)?;
    let bits = base.bits();
    let mut out = Vec::with_capacity(newbits.len());
    // The first address not yet handed out, as an offset from the prefix
    // (u128 plus a carry bit: the whole IPv6 space is 2^128 addresses).
    let mut next: Option<u128> = Some(0);
    for (i, n) in newbits.iter().enumerate() {
        let at = |m: String| CidrError::At(i + 1, m);
        let len = u32::try_from(*n)
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| {
                at(format!(
                    "must extend the prefix by at least one bit, not {n}"
                ))
            })?
            .checked_add(base.len)
            .filter(|l| *l <= bits)
            .ok_or_else(|| {
                at(format!(
                    "would extend the prefix to more than {bits} bits, which is too long"
                ))
            })?;
        let size_mask = host_mask(bits, len);
        let start = next.and_then(|off| {
            // Round up to this subnet's alignment.
            let aligned = off.checked_add(size_mask)? & !size_mask;
            (aligned <= host_mask(bits, base.len)).then_some(aligned)
        });
        let Some(start) = start else {
            return Err(at(format!(
                "not enough remaining address space for a subnet with a prefix of {len} bits"
            )));
        };
        out.push(
            Cidr {
                addr: base.addr | start,
                len,
                v6: base.v6,
            }
            .to_string(),
        );
        next = start.checked_add(size_mask).and_then(|l| l.checked_add(1));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subnets_match_terraform() {
        assert_eq!(subnet("10.0.0.0/16", 8, 10).as_deref(), Ok("10.0.10.0/24"));
        assert_eq!(subnet("10.0.0.0/16", 4, 15).as_deref(), Ok("10.0.240.0/20"));
        assert_eq!(subnet("10.1.2.3/16", 8, 1).as_deref(), Ok("10.1.1.0/24"));
        assert_eq!(
            subnet("172.16.0.0/12", 4, 2).as_deref(),
            Ok("172.18.0.0/16")
        );
        assert_eq!(subnet("10.0.0.0/8", 0, 0).as_deref(), Ok("10.0.0.0/8"));
        assert_eq!(subnet("0.0.0.0/0", 32, 1).as_deref(), Ok("0.0.0.1/32"));
        assert_eq!(
            subnet("fd00:fd12:3456:7890::/56", 16, 162).as_deref(),
            Ok("fd00:fd12:3456:7800:a200::/72")
        );
        assert_eq!(
            subnet("2001:db8::/32", 16, 1).as_deref(),
            Ok("2001:db8:1::/48")
        );
        assert_eq!(subnet("::/0", 128, 5).as_deref(), Ok("::5/128"));
    }

    #[test]
    fn subnet_errors_name_the_bad_argument() {
        assert!(
            matches!(subnet("10.0.0.0/16", 17, 0), Err(CidrError::Second(m)) if m.contains("extend prefix of 16 by 17"))
        );
        assert!(matches!(
            subnet("10.0.0.0/16", -1, 0),
            Err(CidrError::Second(_))
        ));
        assert!(
            matches!(subnet("10.0.0.0/16", 4, 16), Err(CidrError::Third(m)) if m.contains("numbered 16"))
        );
        assert!(matches!(
            subnet("10.0.0.0/16", 4, -1),
            Err(CidrError::Third(_))
        ));
        assert!(matches!(
            subnet("10.0.0.0/33", 1, 0),
            Err(CidrError::Prefix(_))
        ));
        assert!(matches!(
            subnet("10.0.0/16", 1, 0),
            Err(CidrError::Prefix(_))
        ));
        assert!(matches!(
            subnet("10.0.0.0", 1, 0),
            Err(CidrError::Prefix(_))
        ));
        assert!(matches!(
            subnet("10.0.0.0/+8", 1, 0),
            Err(CidrError::Prefix(_))
        ));
        assert!(matches!(
            subnet("10.0.0.0/", 1, 0),
            Err(CidrError::Prefix(_))
        ));
        assert!(matches!(subnet("::/0", 129, 0), Err(CidrError::Second(_))));
        assert!(matches!(
            subnet("10.0.0.0/16", i64::MAX, 0),
            Err(CidrError::Second(_))
        ));
    }

    #[test]
    fn hosts_count_from_either_end() {
        assert_eq!(host("10.12.112.0/20", 16).as_deref(), Ok("10.12.112.16"));
        assert_eq!(host("10.12.112.0/20", 268).as_deref(), Ok("10.12.113.12"));
        assert_eq!(host("10.0.0.0/24", -1).as_deref(), Ok("10.0.0.255"));
        assert_eq!(host("10.0.0.0/24", -256).as_deref(), Ok("10.0.0.0"));
        assert_eq!(
            host("fd00:fd12:3456:7890:00a2::/72", 34).as_deref(),
            Ok("fd00:fd12:3456:7890::22")
        );
        assert_eq!(
            host("::/0", -1).as_deref(),
            Ok("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")
        );
        assert!(matches!(
            host("10.0.0.0/24", 256),
            Err(CidrError::Second(_))
        ));
        assert!(matches!(
            host("10.0.0.0/24", -257),
            Err(CidrError::Second(_))
        ));
        assert!(matches!(
            host("10.0.0.0/24", i64::MIN),
            Err(CidrError::Second(_))
        ));
    }
}
