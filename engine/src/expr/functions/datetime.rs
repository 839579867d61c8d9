//! Date and time functions: formatdate timeadd timecmp timestamp
//! plantimestamp. Timestamps are RFC 3339 strings, as in Terraform; the
//! arithmetic is on whole seconds plus nanoseconds with checked operations,
//! so no input overflows. `timestamp()` is unknown until the change is
//! applied (as in Terraform, whose plan shows it "known after apply"), and
//! `plantimestamp()` is fixed once per process: one run plans at one time.

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use super::{Call, Function, row};
use crate::base::Value;
use crate::expr::error::ExprError;

/// This table's category, a heading of `skistack functions` and the README.
pub(super) const CATEGORY: &str = "date and time";

/// This category's rows of the function table.
pub(super) static ROWS: &[Function] = &[
    row(
        "formatdate",
        "formatdate(spec, timestamp)",
        "timestamp laid out by spec (e.g. `\"YYYY-MM-DD hh:mm\"`)",
        2,
        Some(2),
        formatdate,
    ),
    row(
        "plantimestamp",
        "plantimestamp()",
        "the time of the plan, an RFC 3339 timestamp",
        0,
        Some(0),
        plantimestamp,
    ),
    row(
        "timeadd",
        "timeadd(timestamp, duration)",
        "timestamp plus duration (e.g. `\"1h30m\"`, `\"-10m\"`)",
        2,
        Some(2),
        timeadd,
    ),
    row(
        "timecmp",
        "timecmp(timestamp_a, timestamp_b)",
        "-1, 0 or 1: whether timestamp_a is before, at or after timestamp_b",
        2,
        Some(2),
        timecmp,
    ),
    row(
        "timestamp",
        "timestamp()",
        "the current time, an RFC 3339 timestamp (known after up)",
        0,
        Some(0),
        timestamp,
    ),
];

/// An instant with the UTC offset it was written in.
#[derive(Clone, Copy)]
struct Time {
    /// Seconds since 1970-01-01T00:00:00Z.
    secs: i64,
    nanos: u32,
    /// Minutes east of UTC.
    offset: i32,
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01: (year, month, day).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Parses an RFC 3339 timestamp (`2006-01-02T15:04:05Z`, optional
/// fraction, `Z` or `±hh:mm`).
fn parse_time(s: &str) -> Option<Time> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = s.get(from..from + len)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let (y, mo, d) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (h, mi, sec) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 59
    {
        return None;
    }
    let mut i = 19;
    let mut nanos = 0u32;
    if b.get(i) == Some(&b'.') {
        let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 || digits > 9 {
            return None;
        }
        let frac = num(i + 1, digits)?;
        nanos = u32::try_from(frac * 10i64.pow(9 - digits as u32)).ok()?;
        i += 1 + digits;
    }
    let offset = match s.get(i..)? {
        "Z" => 0,
        tz if tz.len() == 6
            && (tz.starts_with('+') || tz.starts_with('-'))
            && tz.as_bytes()[3] == b':' =>
        {
            let (oh, om) = (num(i + 1, 2)?, num(i + 4, 2)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let m = i32::try_from(oh * 60 + om).ok()?;
            if tz.starts_with('-') { -m } else { m }
        }
        _ => return None,
    };
    let local = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec;
    Some(Time {
        secs: local - i64::from(offset) * 60,
        nanos,
        offset,
    })
}

/// The local calendar fields of `t`: (year, month, day, hour, minute,
/// second, weekday with 0 = Sunday).
fn fields(t: Time) -> (i64, i64, i64, i64, i64, i64, i64) {
    let local = t.secs + i64::from(t.offset) * 60;
    let days = local.div_euclid(86_400);
    let rem = local.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    (
        y,
        m,
        d,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        (days + 4).rem_euclid(7),
    )
}

/// The offset as `+hh:mm` (`colon`) or `+hhmm`.
fn offset_text(offset: i32, colon: bool) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let (h, m) = (offset.abs() / 60, offset.abs() % 60);
    if colon {
        format!("{sign}{h:02}:{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}")
    }
}

/// `t` as Go's `time.RFC3339` writes it (whole seconds).
fn rfc3339(t: Time) -> Option<String> {
    let (y, mo, d, h, mi, s, _) = fields(t);
    if !(0..=9999).contains(&y) {
        return None;
    }
    let zone = if t.offset == 0 {
        "Z".to_string()
    } else {
        offset_text(t.offset, true)
    };
    Some(format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{zone}"))
}

/// Argument `i` as a timestamp.
fn time_arg(c: &Call<'_>, i: usize) -> Result<Time, ExprError> {
    let s = c.str(i)?;
    parse_time(&s).ok_or_else(|| {
        c.err(i, format!("{} is not an RFC 3339 timestamp", c.shown(&s)))
            .with_hint("e.g. \"2017-11-22T00:00:00Z\"")
    })
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// One run of a letter in a `formatdate` spec, as text.
fn date_field(t: Time, letter: char, n: usize) -> Option<String> {
    let (y, mo, d, h, mi, s, wd) = fields(t);
    let h12 = if h % 12 == 0 { 12 } else { h % 12 };
    // Month and weekday indices come from in-range calendar fields.
    let month = MONTHS[(mo - 1) as usize];
    let day = DAYS[wd as usize];
    Some(match (letter, n) {
        ('Y', 4) => format!("{y:04}"),
        ('Y', 2) => format!("{:02}", y.rem_euclid(100)),
        ('M', 4) => month.to_string(),
        ('M', 3) => month[..3].to_string(),
        ('M', 2) => format!("{mo:02}"),
        ('M', 1) => mo.to_string(),
        ('D', 2) => format!("{d:02}"),
        ('D', 1) => d.to_string(),
        ('E', 4) => day.to_string(),
        ('E', 3) => day[..3].to_string(),
        ('h', 2) => format!("{h:02}"),
        ('h', 1) => h.to_string(),
        ('H', 2) => format!("{h12:02}"),
        ('H', 1) => h12.to_string(),
        ('A', 2) => if h < 12 { "AM" } else { "PM" }.to_string(),
        ('a', 2) => if h < 12 { "am" } else { "pm" }.to_string(),
        ('m', 2) => format!("{mi:02}"),
        ('m', 1) => mi.to_string(),
        ('s', 2) => format!("{s:02}"),
        ('s', 1) => s.to_string(),
        ('Z', 5) => offset_text(t.offset, true),
        ('Z', 4) => offset_text(t.offset, false),
        ('Z', 3) if t.offset == 0 => "UTC".to_string(),
        ('Z', 3) => offset_text(t.offset, false),
        ('Z', 1) if t.offset == 0 => "Z".to_string(),
        ('Z', 1) => offset_text(t.offset, true),
        _ => return None,
    })
}

fn formatdate(c: &Call<'_>) -> Result<Value, ExprError> {
    let spec = c.str(0)?;
    let t = time_arg(c, 1)?;
    let chars: Vec<char> = spec.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let ch = chars[i];
        if ch == '\'' {
            // 'literal', with '' for a quote.
            let mut j = i + 1;
            if chars.get(j) == Some(&'\'') {
                out.push('\'');
                i += 2;
                continue;
            }
            loop {
                match chars.get(j) {
                    Some('\'') if chars.get(j + 1) == Some(&'\'') => {
                        out.push('\'');
                        j += 2;
                    }
                    Some('\'') => break,
                    Some(ch) => {
                        out.push(*ch);
                        j += 1;
                    }
                    None => return Err(c.err(0, "unterminated literal '")),
                }
            }
            i = j + 1;
        } else if ch.is_ascii_alphabetic() {
            let n = chars[i..].iter().take_while(|x| **x == ch).count();
            let text = date_field(t, ch, n).ok_or_else(|| {
                c.err(
                    0,
                    format!("invalid date format verb {:?}", ch.to_string().repeat(n)),
                )
                .with_hint("put literal letters in single quotes, e.g. 'T'")
            })?;
            out.push_str(&text);
            i += n;
        } else {
            out.push(ch);
            i += 1;
        }
    }
    Ok(Value::String(out))
}

/// Go's `time.ParseDuration`: `[-+]` then numbers with units
/// (`ns us µs ms s m h`), e.g. `1h30m`, `-1.5h`; in nanoseconds.
fn parse_duration(s: &str) -> Option<i128> {
    let (negative, mut rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let n = rest
            .find(|ch: char| !(ch.is_ascii_digit() || ch == '.'))
            .unwrap_or(rest.len());
        let value: f64 = rest[..n].parse().ok()?;
        rest = &rest[n..];
        let u = rest
            .find(|ch: char| ch.is_ascii_digit() || ch == '.')
            .unwrap_or(rest.len());
        let unit = match &rest[..u] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        rest = &rest[u..];
        total += value * unit;
    }
    // Go refuses durations past about 292 years.
    if total > i64::MAX as f64 {
        return None;
    }
    let n = total.round() as i128;
    Some(if negative { -n } else { n })
}

fn timeadd(c: &Call<'_>) -> Result<Value, ExprError> {
    let t = time_arg(c, 0)?;
    let d = c.str(1)?;
    let nanos = parse_duration(&d).ok_or_else(|| {
        c.err(1, format!("{} is not a duration", c.shown(&d)))
            .with_hint("e.g. \"1h30m\", \"-10m\", \"90s\"")
    })?;
    let total = i128::from(t.secs) * 1_000_000_000 + i128::from(t.nanos) + nanos;
    let out = i64::try_from(total.div_euclid(1_000_000_000))
        .ok()
        .map(|secs| Time {
            secs,
            // Below 10^9, so it fits.
            nanos: total.rem_euclid(1_000_000_000) as u32,
            offset: t.offset,
        })
        .and_then(rfc3339)
        .ok_or_else(|| c.call_err("the result is outside the years 0000 to 9999"))?;
    Ok(Value::String(out))
}

fn timecmp(c: &Call<'_>) -> Result<Value, ExprError> {
    let (a, b) = (time_arg(c, 0)?, time_arg(c, 1)?);
    let order = (a.secs, a.nanos).cmp(&(b.secs, b.nanos));
    Ok(Value::Int(order as i64))
}

/// The current time, in UTC.
fn now() -> Time {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Time {
        secs: i64::try_from(d.as_secs()).unwrap_or(0),
        nanos: d.subsec_nanos(),
        offset: 0,
    }
}

fn timestamp(c: &Call<'_>) -> Result<Value, ExprError> {
    if !c.scope().applying() {
        return Ok(Value::Unknown);
    }
    rfc3339(now())
        .map(Value::String)
        .ok_or_else(|| c.call_err("the clock is outside the years 0000 to 9999"))
}

/// The time of this process's plans: fixed at first use, or by
/// [`set_plan_time`] before any plan.
static PLAN_TIME: OnceLock<Time> = OnceLock::new();

/// This process's plan time as `plantimestamp()` returns it, fixing it now
/// if nothing has yet; `None` only for a clock outside years 0000–9999.
pub(crate) fn plan_time() -> Option<String> {
    rfc3339(*PLAN_TIME.get_or_init(now))
}

/// Makes this process plan at `text`, the [`plan_time`] of the process that
/// saved a plan, so that `plantimestamp()` evaluates as it did then. False
/// when `text` is no time, or this process already plans at another one.
pub(crate) fn set_plan_time(text: &str) -> bool {
    let Some(t) = parse_time(text) else {
        return false;
    };
    let fixed = PLAN_TIME.get_or_init(|| t);
    rfc3339(*fixed).as_deref() == Some(text)
}

fn plantimestamp(c: &Call<'_>) -> Result<Value, ExprError> {
    rfc3339(*PLAN_TIME.get_or_init(now))
        .map(Value::String)
        .ok_or_else(|| c.call_err("the clock is outside the years 0000 to 9999"))
}
