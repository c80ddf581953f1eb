//! The TLS backend of the HTTP client the builder makes, chosen by the crate's features (Cargo.toml,
//! `[features]`). A backend named on purpose beats the default: `native-tls`, then `rustls` (aws-lc-rs),
//! then `rustls-ring`, the order in which reqwest itself prefers them when more than one is built.

/// Whether this build can speak HTTPS at all.
pub(crate) const AVAILABLE: bool = cfg!(any(
    feature = "rustls-ring",
    feature = "rustls",
    feature = "native-tls"
));

/// The features that give a TLS backend, for the error when none is on.
pub(crate) const FEATURES: &str = "`rustls-ring` (the default), `rustls` or `native-tls`";

#[cfg(all(
    feature = "rustls-ring",
    not(any(feature = "rustls", feature = "native-tls"))
))]
pub(crate) use ring::backend;

/// A reqwest client from `builder` with the features' backend, for progenitor's `Client::new` (the xtask
/// routes it here): `new` returns no error, and unwrapped reqwest's result before. It panics only where
/// that did, or when the system's certificate verifier cannot start.
pub(crate) fn build(builder: reqwest::ClientBuilder) -> reqwest::Client {
    backend(builder)
        .and_then(|builder| builder.build().map_err(|e| e.to_string()))
        .unwrap_or_else(|e| panic!("cannot build the HTTP client: {e}"))
}

/// `builder` as it is: reqwest's own backend (or none) is the one the features chose.
#[cfg(not(all(
    feature = "rustls-ring",
    not(any(feature = "rustls", feature = "native-tls"))
)))]
pub(crate) fn backend(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, String> {
    Ok(builder)
}

/// rustls over ring. reqwest's `rustls-no-provider` leaves the crypto provider to its user; installing one
/// process-wide (`CryptoProvider::install_default`) would decide for the whole program, so the
/// configuration is built here as reqwest builds its own: the platform's certificate verifier (the
/// system's root certificates), and HTTP/1.1 by ALPN (reqwest's HTTP/2 is not enabled).
#[cfg(all(
    feature = "rustls-ring",
    not(any(feature = "rustls", feature = "native-tls"))
))]
mod ring {
    use std::sync::{Arc, OnceLock};

    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::crypto::CryptoProvider;
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
    use rustls::{DigitallySignedStruct, SignatureScheme};
    use rustls_platform_verifier::Verifier;

    /// `builder` with rustls over ring.
    pub(crate) fn backend(
        builder: reqwest::ClientBuilder,
    ) -> Result<reqwest::ClientBuilder, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = OnFirstHandshake::new(provider.clone(), vec![]);
        Ok(builder.tls_backend_preconfigured(config(provider, Arc::new(verifier))?))
    }

    fn config(
        provider: Arc<CryptoProvider>,
        verifier: Arc<OnFirstHandshake>,
    ) -> Result<rustls::ClientConfig, String> {
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(refused)?
            .dangerous() // only in name: the platform's verifier, as `with_platform_verifier` installs it
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(config)
    }

    /// The platform's verifier, started at the first handshake rather than when the client is built
    /// (where reqwest starts its own): starting it reads and parses the system's whole certificate store,
    /// two thirds of the instructions of a CLI call in a debug build, which a client that never speaks
    /// HTTPS (an `http://` base URL: tests, the mock server) or is never used should not pay. A store
    /// that cannot be read fails that handshake with the verifier's own error.
    #[derive(Debug)]
    struct OnFirstHandshake {
        provider: Arc<CryptoProvider>,
        extra_roots: Vec<CertificateDer<'static>>,
        started: OnceLock<Result<Verifier, rustls::Error>>,
    }

    impl OnFirstHandshake {
        fn new(provider: Arc<CryptoProvider>, extra_roots: Vec<CertificateDer<'static>>) -> Self {
            let started = OnceLock::new();
            OnFirstHandshake {
                provider,
                extra_roots,
                started,
            }
        }

        fn verifier(&self) -> Result<&Verifier, rustls::Error> {
            let started = self.started.get_or_init(|| {
                Verifier::new_with_extra_roots(self.extra_roots.clone(), self.provider.clone())
            });
            started.as_ref().map_err(Clone::clone)
        }
    }

    impl ServerCertVerifier for OnFirstHandshake {
        fn verify_server_cert(
            &self,
            end_entity: &CertificateDer<'_>,
            intermediates: &[CertificateDer<'_>],
            server_name: &ServerName<'_>,
            ocsp_response: &[u8],
            now: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            self.verifier()?.verify_server_cert(
                end_entity,
                intermediates,
                server_name,
                ocsp_response,
                now,
            )
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            self.verifier()?.verify_tls12_signature(message, cert, dss)
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            self.verifier()?.verify_tls13_signature(message, cert, dss)
        }

        /// What the started verifier would say: the provider's schemes (webpki's verifier answers with
        /// them), known without reading the store.
        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.provider
                .signature_verification_algorithms
                .supported_schemes()
        }
    }

    fn refused(e: rustls::Error) -> String {
        format!("cannot set up TLS: {e}")
    }

    #[cfg(test)]
    mod tests {
        use std::io::{BufRead, BufReader, Write};
        use std::sync::Arc;

        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};

        use crate::Client;

        // A throwaway CA and a `localhost` certificate it signed (P-256, valid until 2126), for these
        // tests only: `openssl req -x509 -newkey ec ...`.
        const CA: &str = r"-----BEGIN CERTIFICATE-----
MIIBjzCCATWgAwIBAgIUDt5FoZGy0PrFLfhGjwpFhIWDrNwwCgYIKoZIzj0EAwIw
HDEaMBgGA1UEAwwRcG9seXRvbWljLXRlc3QtY2EwIBcNMjYxMjAyMjIxMTUzWhgP
MjEyNjExMDgyMjExNTNaMBwxGjAYBgNVBAMMEXBvbHl0b21pYy10ZXN0LWNhMFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEcTME4Sg7uN3s23c7r5eoDuObvs0CVkOY
pOrWG6kKRA6C1Uh0RKlPsmLWmjxBkdF32B4uW22D6bwC+1OJRzQdL6NTMFEwHQYD
VR0OBBYEFMQskzvs3LldDhMcYWdk2IwtjdJbMB8GA1UdIwQYMBaAFMQskzvs3Lld
DhMcYWdk2IwtjdJbMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIh
AP1UTRiOukbg/8UdTPs+aAicm4QSgAmw1NJHh6mVZ3cYAiBD/NJQocc+/zo9Zx6i
qPKs2aua8aPL+C70ihQybITxOQ==
-----END CERTIFICATE-----";
        const LEAF: &str = r"-----BEGIN CERTIFICATE-----
MIIBrDCCAVKgAwIBAgIUBM5TzwZwLd+72laHcnxbLCAjeRwwCgYIKoZIzj0EAwIw
HDEaMBgGA1UEAwwRcG9seXRvbWljLXRlc3QtY2EwIBcNMjYxMjAyMjIxMTUzWhgP
MjEyNjExMDgyMjExNTNaMBQxEjAQBgNVBAMMCWxvY2FsaG9zdDBZMBMGByqGSM49
AgEGCCqGSM49AwEHA0IABDdw9ZIvnGTu40JIgUvGjxAZ6lOF3Kmb0pFCk9P3HCA7
4yUfyC00sOOcJA4qM03VUJBlOJWURWO/s9Rn50oN5BGjeDB2MBQGA1UdEQQNMAuC
CWxvY2FsaG9zdDAJBgNVHRMEAjAAMBMGA1UdJQQMMAoGCCsGAQUFBwMBMB0GA1Ud
DgQWBBQ1zdgNIn3GMg2QLnhoDaZr61zlDDAfBgNVHSMEGDAWgBTELJM77Ny5XQ4T
HGFnZNiMLY3SWzAKBggqhkjOPQQDAgNIADBFAiA0tFstQWsaySpKScYgCGniDqcD
S297tP09Py0pUJ3CvgIhAJP4UjBjxAotkJS+TVjL8VdqsCJBaUWNvcH+NOWnUzpF
-----END CERTIFICATE-----";
        const LEAF_KEY: &str = r"-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgYnlesoTGnEfc2rzv
4rP5DzK3POXSLqwYy0ctEcVOY6KhRANCAAQ3cPWSL5xk7uNCSIFLxo8QGepThdyp
m9KRQpPT9xwgO+MlH8gtNLDjnCQOKjNN1VCQZTiVlEVjv7PUZ+dKDeQR
-----END PRIVATE KEY-----";

        /// A call over real TLS on loopback, through the configuration `backend` makes (with the test CA
        /// added to the platform's roots): the handshake, the certificate check and ALPN all work. The
        /// platform's store is read at that first handshake, not when the client is built.
        #[tokio::test]
        async fn a_call_over_tls_goes_through_with_ring() {
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let ca = CertificateDer::from_pem_slice(CA.as_bytes()).unwrap();
            let verifier = Arc::new(super::OnFirstHandshake::new(provider.clone(), vec![ca]));
            let config = super::config(provider.clone(), verifier.clone()).unwrap();
            let http = reqwest::Client::builder()
                .tls_backend_preconfigured(config)
                .build()
                .unwrap();
            assert!(
                verifier.started.get().is_none(),
                "started before any handshake"
            );
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let port = listener.local_addr().unwrap().port();
            let server = std::thread::spawn(move || serve_once(listener, provider));
            let client = Client::builder()
                .base_url(format!("https://localhost:{port}"))
                .http_client(http)
                .build()
                .unwrap();
            let connections = client.list_connections().send().await.unwrap();
            assert_eq!(connections.into_inner().data, Some(vec![]));
            assert_eq!(server.join().unwrap(), "GET /api/connections HTTP/1.1");
            assert!(matches!(verifier.started.get(), Some(Ok(_))));
        }

        /// Answers one request with an empty list of connections; the request line.
        fn serve_once(
            listener: std::net::TcpListener,
            provider: Arc<rustls::crypto::CryptoProvider>,
        ) -> String {
            let config = rustls::ServerConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(
                    vec![CertificateDer::from_pem_slice(LEAF.as_bytes()).unwrap()],
                    PrivateKeyDer::from_pem_slice(LEAF_KEY.as_bytes()).unwrap(),
                )
                .unwrap();
            let (tcp, _) = listener.accept().unwrap();
            let tls = rustls::ServerConnection::new(Arc::new(config)).unwrap();
            let mut stream = BufReader::new(rustls::StreamOwned::new(tls, tcp));
            let mut request_line = String::new();
            stream.read_line(&mut request_line).unwrap();
            let mut line = String::new();
            while stream.read_line(&mut line).unwrap() > 2 {
                line.clear();
            }
            let body = r#"{"data":[]}"#;
            let stream = stream.get_mut();
            write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            )
            .unwrap();
            stream.flush().unwrap();
            stream.conn.send_close_notify();
            let _ = stream.flush();
            request_line.trim_end().to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Client;

    /// With `rustls-ring`, reqwest has no crypto provider of its own: without the configuration `backend`
    /// makes, building the client panics. With no backend, `https` is refused by name.
    #[test]
    fn https_needs_a_backend_and_http_does_not() {
        let built = Client::builder()
            .base_url("https://app.polytomic.com")
            .build();
        assert_eq!(built.is_ok(), super::AVAILABLE);
        if let Err(error) = built {
            let message = error.to_string();
            assert!(message.contains("needs TLS"), "{message}");
            assert!(message.contains(super::FEATURES), "{message}");
        }
        assert!(
            Client::builder()
                .base_url("http://127.0.0.1:1")
                .build()
                .is_ok()
        );
    }

    /// progenitor's own constructor builds its HTTP client through the same backend (before, it panicked
    /// under `rustls-ring`: reqwest had no crypto provider of its own).
    #[test]
    fn progenitors_constructor_builds_with_the_features_backend() {
        use crate::ClientInfo as _;
        let client = Client::new("http://127.0.0.1:1", Default::default());
        assert_eq!(client.baseurl(), "http://127.0.0.1:1");
    }
}
