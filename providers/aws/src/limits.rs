//! A limit on the AWS API calls in flight per service, so that a high
//! `--parallel` does not run into AWS's API rate limits.
//!
//! The limit wraps the SDK's HTTP client, so it holds a permit for exactly
//! one HTTP attempt: from the request being sent to its response arriving.
//! The SDK's backoff between retries, and the provider's polling waits, hold
//! none. (An interceptor can count attempts but cannot wait: its hooks are
//! synchronous.)

use std::sync::Arc;

use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_http_client::{Builder, ConnectorBuilder};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::{
    RuntimeComponents, RuntimeComponentsBuilder,
};
use aws_smithy_types::config_bag::ConfigBag;
use tokio::sync::Semaphore;

/// Calls in flight per service unless configured otherwise. AWS throttles
/// per account, region and API; eight calls at once keep a deployment well
/// under the usual EC2 and IAM request rates.
pub const DEFAULT_MAX_CONCURRENCY: usize = 8;

/// The HTTP client the SDK would use by default: hyper 1 with rustls on
/// aws-lc, proxies from the environment (`HTTPS_PROXY`, `NO_PROXY`), built
/// the way the SDK builds its own default. Built here because the SDK keeps
/// its default private (as it keeps adding a runtime plugin to a client),
/// and the limit has to wrap a client.
pub(crate) fn default_http_client() -> SharedHttpClient {
    Builder::new().build_with_connector_fn(|settings, components| {
        let mut connector =
            ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc));
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    })
}

/// `inner` with every HTTP attempt taking a permit from `permits`, which
/// all the clients of one service share.
pub(crate) fn limited(inner: SharedHttpClient, permits: Arc<Semaphore>) -> SharedHttpClient {
    SharedHttpClient::new(LimitedClient { inner, permits })
}

/// An HTTP client whose connectors wait for a permit before each request.
#[derive(Debug)]
struct LimitedClient {
    inner: SharedHttpClient,
    permits: Arc<Semaphore>,
}

impl HttpClient for LimitedClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(LimitedConnector {
            inner: self.inner.http_connector(settings, components),
            permits: Arc::clone(&self.permits),
        })
    }

    fn validate_base_client_config(
        &self,
        runtime_components: &RuntimeComponentsBuilder,
        cfg: &ConfigBag,
    ) -> Result<(), BoxError> {
        self.inner
            .validate_base_client_config(runtime_components, cfg)
    }

    fn validate_final_config(
        &self,
        runtime_components: &RuntimeComponents,
        cfg: &ConfigBag,
    ) -> Result<(), BoxError> {
        self.inner.validate_final_config(runtime_components, cfg)
    }
}

#[derive(Debug)]
struct LimitedConnector {
    inner: SharedHttpConnector,
    permits: Arc<Semaphore>,
}

impl HttpConnector for LimitedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let inner = self.inner.clone();
        let permits = Arc::clone(&self.permits);
        HttpConnectorFuture::new(async move {
            // The permit lives until the response's head has arrived; the
            // small bodies of these APIs follow at once.
            let _permit = permits
                .acquire_owned()
                .await
                // Only a closed semaphore fails, and none is ever closed.
                .map_err(|e| ConnectorError::other(e.into(), None))?;
            inner.call(request).await
        })
    }
}
