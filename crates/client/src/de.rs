//! Tolerant deserializers for the type drifts of real controllers.
//!
//! DNA Center and APIC-EM do not always send the JSON type their own schemas
//! declare (contract §8, peers §3 item 7): ports arrive as `"443"` or `443`,
//! times as `1498403866479` or `"1498403866479"` (or an ISO date), booleans
//! as `true` or `"true"`, CPU percentages as integers or floats, lists as
//! `null`. Each function here accepts every such spelling of one logical
//! type and fails — with a message naming what it got — only when the value
//! cannot mean that type at all. `null` always means "absent".

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// Any scalar as text: strings as they are, numbers and booleans in their
/// JSON spelling, objects and arrays as compact JSON. `null` is `None`.
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Null => None,
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    })
}

/// [`string`], with `null` or absence read as `""`.
pub fn string_or_empty<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    string(d).map(Option::unwrap_or_default)
}

/// An integer from a JSON number (a float is truncated), a string of digits
/// (`"443"`, `"1.5E12"`), or an ISO-8601 date-time (read as epoch
/// milliseconds, UTC unless it names an offset). `null` and `""` are `None`.
pub fn int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    int_of(&Value::deserialize(d)?).map_err(D::Error::custom)
}

fn int_of(v: &Value) -> Result<Option<i64>, String> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
            .map(Some)
            .ok_or_else(|| format!("integer out of range: {n}")),
        Value::String(s) => {
            let t = s.trim();
            if t.is_empty() {
                return Ok(None);
            }
            if let Ok(n) = t.parse::<i64>() {
                return Ok(Some(n));
            }
            if let Some(f) = t.parse::<f64>().ok().filter(|f| f.is_finite()) {
                return Ok(Some(f as i64));
            }
            iso_millis(t)
                .map(Some)
                .ok_or_else(|| format!("expected an integer or a date-time, got {s:?}"))
        }
        other => Err(format!("expected an integer, got {other}")),
    }
}

/// A float from a JSON number or a numeric string. `null` and `""` are `None`.
pub fn float<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::Number(n) => Ok(n.as_f64()),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => s
            .trim()
            .parse::<f64>()
            .map(Some)
            .map_err(|_| D::Error::custom(format!("expected a number, got {s:?}"))),
        other => Err(D::Error::custom(format!("expected a number, got {other}"))),
    }
}

/// A boolean from `true`/`false`, the strings `"true"`/`"false"` (any case),
/// `"yes"`/`"no"`, `"1"`/`"0"`, or the numbers 1 and 0. `null` and `""` are
/// `None`.
pub fn boolean<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(b)),
        Value::Number(n) if n.as_f64() == Some(0.0) => Ok(Some(false)),
        Value::Number(n) if n.as_f64() == Some(1.0) => Ok(Some(true)),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "" => Ok(None),
            "true" | "yes" | "1" => Ok(Some(true)),
            "false" | "no" | "0" => Ok(Some(false)),
            _ => Err(D::Error::custom(format!("expected a boolean, got {s:?}"))),
        },
        other => Err(D::Error::custom(format!("expected a boolean, got {other}"))),
    }
}

/// [`boolean`], with `null` or absence read as `false`.
pub fn bool_or_false<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    boolean(d).map(Option::unwrap_or_default)
}

/// A TCP/UDP port (1–65535, 0 tolerated) from a number or a string of
/// digits. `null` and `""` are `None`.
pub fn port<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
    let v = Value::deserialize(d)?;
    match int_of(&v).map_err(D::Error::custom)? {
        None => Ok(None),
        Some(n) => u16::try_from(n)
            .map(Some)
            .map_err(|_| D::Error::custom(format!("expected a port 0-65535, got {v}"))),
    }
}

/// A list that may also arrive as `null` (an empty list) or as one bare
/// item instead of a list of one.
pub fn list<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Vec<T>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items
            .into_iter()
            .map(|v| T::deserialize(v).map_err(D::Error::custom))
            .collect(),
        one => T::deserialize(one)
            .map(|t| vec![t])
            .map_err(D::Error::custom),
    }
}

/// A list of text items (see [`list`] and [`string`]): numbers become their
/// JSON spelling, `null` items are dropped, and a comma-separated string is
/// split.
pub fn strings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let item = |v: Value| match v {
        Value::Null => None,
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    };
    Ok(match Value::deserialize(d)? {
        Value::Null => Vec::new(),
        Value::Array(items) => items.into_iter().filter_map(item).collect(),
        Value::String(s) if s.trim().is_empty() => Vec::new(),
        Value::String(s) => s.split(',').map(|x| x.trim().to_string()).collect(),
        other => item(other).into_iter().collect(),
    })
}

/// A nested object that may also arrive as `null` or `""` (both `None`).
pub fn object<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Option<T>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        v => T::deserialize(v).map(Some).map_err(D::Error::custom),
    }
}

/// Epoch milliseconds of an ISO-8601 date-time: `YYYY-MM-DD[T ]HH:MM[:SS[.fff]]`
/// with an optional `Z` or `±HH[:]MM` offset (UTC when none is given), or a
/// bare `YYYY-MM-DD` (midnight UTC).
pub fn iso_millis(text: &str) -> Option<i64> {
    let text = text.trim();
    let num = |t: &str| -> Option<i64> {
        (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse().ok())
            .flatten()
    };
    let (date, rest) = match text.find(['T', 't', ' ']) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let mut dp = date.split('-');
    let (year, month, day) = (num(dp.next()?)?, num(dp.next()?)?, num(dp.next()?)?);
    if dp.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) || year < 1000
    {
        return None;
    }
    let mut millis = days_from_civil(year, month, day) * 86_400_000;
    let Some(rest) = rest else {
        return Some(millis);
    };
    // Split off the offset.
    let (time, offset_min) = if let Some(t) = rest.strip_suffix(['Z', 'z']) {
        (t, 0)
    } else if let Some(i) = rest.rfind(['+', '-']) {
        let (t, off) = rest.split_at(i);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let digits: String = off[1..].chars().filter(char::is_ascii_digit).collect();
        if digits.len() != 4 && digits.len() != 2 {
            return None;
        }
        let off_h = num(&digits[..2])?;
        let off_m = if digits.len() == 4 {
            num(&digits[2..])?
        } else {
            0
        };
        (t, sign * (off_h * 60 + off_m))
    } else {
        (rest, 0)
    };
    let (hms, frac) = match time.split_once(['.', ',']) {
        Some((a, b)) => (a, Some(b)),
        None => (time, None),
    };
    let mut tp = hms.split(':');
    let hour = num(tp.next()?)?;
    let minute = num(tp.next()?)?;
    let second = match tp.next() {
        Some(x) => num(x)?,
        None => 0,
    };
    if tp.next().is_some() || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let ms = match frac {
        Some(f) => {
            let digits: String = f.chars().take(3).collect();
            let n = num(&digits)?;
            n * 10_i64.pow(3 - digits.len() as u32)
        }
        None => 0,
    };
    millis += ((hour * 60 + minute - offset_min) * 60 + second) * 1000 + ms;
    Some(millis)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_are_epoch_millis() {
        assert_eq!(iso_millis("1970-01-01"), Some(0));
        assert_eq!(iso_millis("2017-06-25T15:18:58Z"), Some(1_498_403_938_000));
        assert_eq!(iso_millis("2017-06-25 15:18:58"), Some(1_498_403_938_000));
        assert_eq!(
            iso_millis("2017-06-25T17:18:58.5+02:00"),
            Some(1_498_403_938_500)
        );
        assert_eq!(
            iso_millis("2017-06-25T10:18:58.123-0500"),
            Some(1_498_403_938_123)
        );
        assert_eq!(iso_millis("2024-02-29T00:00:00Z"), Some(1_709_164_800_000));
        for bad in [
            "",
            "yesterday",
            "2017-13-01",
            "2017-06-25T25:00:00",
            "20170625",
        ] {
            assert_eq!(iso_millis(bad), None, "{bad}");
        }
    }

    #[test]
    fn integers_accept_their_spellings() {
        let f = |v: Value| int_of(&v);
        assert_eq!(f(serde_json::json!(443)), Ok(Some(443)));
        assert_eq!(f(serde_json::json!("443")), Ok(Some(443)));
        assert_eq!(
            f(serde_json::json!(" 1.5E12 ")),
            Ok(Some(1_500_000_000_000))
        );
        assert_eq!(f(serde_json::json!(27.9)), Ok(Some(27)));
        assert_eq!(f(serde_json::json!("")), Ok(None));
        assert_eq!(f(Value::Null), Ok(None));
        assert!(f(serde_json::json!("soon")).unwrap_err().contains("soon"));
        assert!(f(serde_json::json!(true)).is_err());
    }
}
