//! `Client::from_env`: it changes the process's environment, which every client being built reads (reqwest
//! looks for proxy variables), so no other test may run beside it (`main.rs`).

use polytomic::Client;
use polytomic_test_support::TEST_KEY;

#[test]
fn from_env_requires_the_key() {
    let _alone = crate::alone();
    unsafe {
        std::env::remove_var("POLYTOMIC_API_KEY");
        std::env::remove_var("POLYTOMIC_PARTNER_KEY");
    }
    let error = Client::from_env().unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid client configuration: neither POLYTOMIC_API_KEY nor POLYTOMIC_PARTNER_KEY is set"
    );
    unsafe {
        std::env::set_var("POLYTOMIC_API_KEY", TEST_KEY);
        std::env::set_var("POLYTOMIC_BASE_URL", "http://127.0.0.1:9");
    }
    let api = Client::from_env().unwrap();
    assert_eq!(polytomic::ClientInfo::baseurl(&api), "http://127.0.0.1:9");
    unsafe {
        std::env::remove_var("POLYTOMIC_API_KEY");
        std::env::remove_var("POLYTOMIC_BASE_URL");
    }
}
