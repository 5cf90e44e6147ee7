//! One line of `gnutsim validate`: a measured value against its closed form.

/// A measured value against its closed form, with the largest difference the check allows.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidationRow {
    /// The check's name, e.g. `flood-exact`.
    pub check: &'static str,
    /// What was compared, in a few words.
    pub what: String,
    pub measured: f64,
    pub theory: f64,
    /// Largest allowed |measured - theory| (0 for exact results).
    pub tolerance: f64,
}

impl ValidationRow {
    pub fn passed(&self) -> bool {
        (self.measured - self.theory).abs() <= self.tolerance
    }
}
