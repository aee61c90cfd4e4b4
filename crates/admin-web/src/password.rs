//! The sign-in password: hashed with argon2id (the `argon2` crate's default parameters) into
//! the PHC string `[admin_web] password_hash` holds, and checked against it.

use argon2::Argon2;
use password_hash::rand_core::OsRng;
use password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};

/// Why a password could not be hashed or checked.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// The configured hash is not a PHC string (terminal: fix the setting; config check
    /// refuses such a hash, so this is a bug or a changed file).
    #[error("admin_web.password_hash is not a password hash in PHC form: {0}")]
    BadHash(#[source] password_hash::Error),
    /// Hashing failed (terminal: e.g. a password longer than argon2 takes).
    #[error("cannot hash the password: {0}")]
    Hash(#[source] password_hash::Error),
}

/// The argon2id PHC string of `password`, with a fresh random salt.
///
/// # Errors
/// [`PasswordError::Hash`].
pub fn hash(password: &str) -> Result<String, PasswordError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(PasswordError::Hash)
}

/// Whether `password` is the one `phc` was made from.
///
/// # Errors
/// [`PasswordError::BadHash`] when `phc` is not a PHC string.
pub fn verify(password: &str, phc: &str) -> Result<bool, PasswordError> {
    let parsed = PasswordHash::new(phc.trim()).map_err(PasswordError::BadHash)?;
    Ok(Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_takes_its_password_only() {
        let phc = hash("correct horse").expect("hashed");
        assert!(phc.starts_with("$argon2id$"), "{phc}");
        assert!(verify("correct horse", &phc).expect("a hash"));
        assert!(!verify("wrong horse", &phc).expect("a hash"));
        assert_ne!(phc, hash("correct horse").expect("hashed"), "salted");
        assert!(matches!(
            verify("x", "plain"),
            Err(PasswordError::BadHash(_))
        ));
    }
}
