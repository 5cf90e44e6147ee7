//! How numbers are written in the CSV files (and in sweep point labels): fixed rules, so that the same run gives
//! the same bytes.

/// A float with at most 6 decimals, trailing zeros removed ("0.25", "3", "0.000001"); empty if undefined.
pub fn float(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    let mut s = format!("{x:.6}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" { "0".to_string() } else { s }
}

/// An optional float: empty when `None`.
pub fn opt(x: Option<f64>) -> String {
    x.map(float).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_are_short_and_stable() {
        assert_eq!(float(0.25), "0.25");
        assert_eq!(float(3.0), "3");
        assert_eq!(float(1.0 / 3.0), "0.333333");
        assert_eq!(float(-0.0000001), "0");
        assert_eq!(float(f64::NAN), "");
        assert_eq!(opt(None), "");
    }
}
