//! The OpenAI-compatible HTTP client: requests, retries and streamed answers. It never prints;
//! retries are reported through a callback.

mod error;
pub mod retry;
pub mod sse;
pub mod types;

use std::error::Error as _;
use std::time::Duration;

use futures_util::{Stream, StreamExt as _};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use error::{ApiError, mask_key};
use sse::StreamEvent;
pub use types::Endpoint;
use types::{
    AnswerRequest, ChatResponse, ImagesRequest, ImagesResponse, ResponseObject, WholeAnswer,
};

pub struct Client {
    http: reqwest::Client,
    base_url: String,
    key: String,
    timeout: Duration,
}

/// Where an answer goes as it arrives, and who hears of each retry: the terminal, say.
pub trait Sink {
    fn delta(&mut self, text: &str) -> std::io::Result<()>;
    fn retrying(&mut self, error: &ApiError, wait: Duration, attempt: u32);
}

/// Told before each pause between attempts: the error, the pause, and the attempt that
/// follows it (2 or 3 of `MAX_ATTEMPTS`).
pub type OnRetry<'a> = &'a mut dyn FnMut(&ApiError, Duration, u32);

pub use retry::MAX_ATTEMPTS;

/// For the test suite only: `TM_TEST_TIME_SCALE=N` makes every wait tm chooses itself (the
/// time-outs, the pauses before a retry) N times shorter, so that tests of retries and
/// time-outs take milliseconds. What is shown still names the real figures.
fn scaled(wait: Duration) -> Duration {
    static SCALE: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    let scale = SCALE.get_or_init(|| {
        std::env::var("TM_TEST_TIME_SCALE")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|&n| n > 0)
            .unwrap_or(1)
    });
    wait / *scale
}

/// The longest answer tm takes from one request, in bytes of text: about four million
/// tokens, thirty times what any OpenAI model writes at most. An answer is held a few times
/// over while it is shown, saved and indexed, so this bounds tm's memory too.
pub const LARGEST_ANSWER: usize = 16 * 1024 * 1024;
/// The most a reply of images may be: ten of the largest PNGs, in base64.
const LARGEST_IMAGES: usize = 1024 * 1024 * 1024;

/// How many times the `timeout` a stream may go on with keep-alive comments and no event.
const KEEP_ALIVE_ONLY: u32 = 10;

/// The most of an error body tm reads: the message shown from it is at most 200 characters,
/// and a JSON error body of OpenAI's is well under 1 KB.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// A login page of a captive portal, a proxy's notice: a 200 that is no answer at all.
fn is_html(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|kind| {
            kind.trim_start()
                .to_ascii_lowercase()
                .starts_with("text/html")
        })
}

/// A redirect is followed only to the same scheme, host and port: a 307 or 308 would send
/// the whole conversation again, to wherever the server names. Other ones end the request,
/// and the error names where the server tried to send it.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if same && attempt.previous().len() < 10 {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

impl Client {
    /// `timeout` bounds every wait for data from the server, not the whole answer, so a long
    /// answer that keeps streaming is never cut off.
    pub fn new(base_url: &str, key: String, timeout: Duration) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(scaled(Duration::from_secs(15).min(timeout)))
            .read_timeout(scaled(timeout))
            .user_agent(concat!("tm/", env!("CARGO_PKG_VERSION")))
            .redirect(same_origin_redirects())
            .build()?;
        Ok(Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            key,
            timeout,
        })
    }

    /// A streamed answer's events, from whichever API the request is for.
    pub async fn answer_stream(
        &self,
        request: &AnswerRequest<'_>,
        on_retry: OnRetry<'_>,
    ) -> Result<impl Stream<Item = Result<StreamEvent, ApiError>> + use<>, ApiError> {
        let endpoint = request.endpoint();
        let response = self
            .post(endpoint.path(), request, request.model(), on_retry)
            .await?;
        let (timeout, url) = (self.timeout, self.url(endpoint.path()));
        let bytes = response
            .bytes_stream()
            .map(move |chunk| chunk.map_err(|e| transport_error(&e, &url, timeout, true)));
        let events = Box::pin(sse::events(bytes, self.key.clone(), endpoint));
        // Keep-alive comments reset the read timeout but carry nothing; a model may think for
        // minutes behind them, so they are allowed KEEP_ALIVE_ONLY times the timeout.
        let patience = timeout * KEEP_ALIVE_ONLY;
        Ok(futures_util::stream::unfold(
            events,
            move |mut events| async move {
                match tokio::time::timeout(scaled(patience), events.next()).await {
                    Ok(next) => next.map(|event| (event, events)),
                    Err(_) => Some((Err(ApiError::OnlyKeepAlive(patience)), events)),
                }
            },
        ))
    }

    /// A whole answer in one response (`--no-stream`), from whichever API the request is for.
    pub async fn answer(
        &self,
        request: &AnswerRequest<'_>,
        on_retry: OnRetry<'_>,
    ) -> Result<WholeAnswer, ApiError> {
        // JSON may spell a character in up to six bytes (\u0000); an answer this long is
        // refused as it arrives either way.
        let limit = LARGEST_ANSWER.saturating_mul(6);
        let too_large = || ApiError::TooLarge(LARGEST_ANSWER);
        let (path, model) = (request.endpoint().path(), request.model());
        match request.endpoint() {
            Endpoint::Chat => {
                let response: ChatResponse = self
                    .post_json(path, request, model, limit, too_large, on_retry)
                    .await?;
                let choice = response
                    .choices
                    .into_iter()
                    .next()
                    .ok_or_else(|| ApiError::Malformed("the response has no choices".into()))?;
                Ok(WholeAnswer {
                    text: choice.message.content.unwrap_or_default(),
                    finish_reason: choice.finish_reason,
                    usage: response.usage,
                    tier: response.service_tier,
                    incomplete: None,
                })
            }
            Endpoint::Responses => {
                let response: ResponseObject = self
                    .post_json(path, request, model, limit, too_large, on_retry)
                    .await?;
                if response.status.as_deref() == Some("failed") {
                    let message = response
                        .error
                        .map_or_else(|| "no reason given".to_owned(), |e| e.message);
                    return Err(ApiError::Status {
                        status: 200,
                        message: format!(
                            "the response failed: {}",
                            error::scrub(&message, &self.key)
                        ),
                    });
                }
                Ok(WholeAnswer {
                    text: response.text(),
                    incomplete: response.incomplete_reason(),
                    finish_reason: response.status,
                    usage: response.usage,
                    tier: response.service_tier,
                })
            }
        }
    }

    pub async fn images(
        &self,
        request: &ImagesRequest<'_>,
        on_retry: OnRetry<'_>,
    ) -> Result<ImagesResponse, ApiError> {
        self.post_json(
            "images/generations",
            request,
            request.model,
            LARGEST_IMAGES,
            || {
                ApiError::Malformed(format!(
                    "the images sent passed {}, the most tm takes from one request",
                    crate::attach::size(LARGEST_IMAGES as u64)
                ))
            },
            on_retry,
        )
        .await
    }

    /// The ids of the models the server offers (`GET /models`).
    pub async fn models(&self, on_retry: OnRetry<'_>) -> Result<Vec<String>, ApiError> {
        #[derive(serde::Deserialize)]
        struct Listed {
            #[serde(default)]
            data: Vec<Model>,
        }
        #[derive(serde::Deserialize)]
        struct Model {
            id: String,
        }
        let url = self.url("models");
        let response = self
            .send(|| self.http.get(&url), &url, "", on_retry)
            .await?;
        // A list of thousands of models is well under a megabyte.
        let listed: Listed = self
            .json_body(response, &url, 16 * 1024 * 1024, || {
                ApiError::Malformed("the list of models is larger than 16 MB".into())
            })
            .await?;
        Ok(listed.data.into_iter().map(|m| m.id).collect())
    }

    /// A request whose whole answer is one JSON document of at most `limit` bytes; past it,
    /// the error `too_large` makes.
    async fn post_json<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
        model: &str,
        limit: usize,
        too_large: fn() -> ApiError,
        on_retry: OnRetry<'_>,
    ) -> Result<T, ApiError> {
        let response = self.post(path, body, model, on_retry).await?;
        self.json_body(response, &self.url(path), limit, too_large)
            .await
    }

    /// A response's body as one JSON document of at most `limit` bytes; past it, the error
    /// `too_large` makes. What does not parse is quoted, the key masked.
    async fn json_body<T: DeserializeOwned>(
        &self,
        response: reqwest::Response,
        url: &str,
        limit: usize,
        too_large: impl FnOnce() -> ApiError,
    ) -> Result<T, ApiError> {
        let bytes = read_within(response, limit, url, self.timeout, too_large).await?;
        let text = String::from_utf8_lossy(&bytes);
        serde_json::from_str(&text).map_err(|e| {
            let start = error::excerpt(&text, &self.key, 80);
            ApiError::Malformed(format!("{e} in the response `{start}`"))
        })
    }

    /// What an HTML page says, from its first few kilobytes only.
    async fn html_page(&self, response: reqwest::Response) -> ApiError {
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let start = self.start_of(response, 4096).await;
        ApiError::Html {
            status,
            content_type,
            start: error::summarize_body(&start, &self.key),
        }
    }

    /// The first `limit` bytes of a body that is only shown, read for at most `timeout` in
    /// all: a body that trickles in a byte at a time never outlasts it, and a 200 MB one is
    /// never held. What arrived by then is what is shown.
    async fn start_of(&self, mut response: reqwest::Response, limit: usize) -> String {
        let mut start = Vec::new();
        let read = async {
            while start.len() < limit {
                match response.chunk().await {
                    Ok(Some(chunk)) => start.extend_from_slice(&chunk),
                    _ => break,
                }
            }
        };
        drop(tokio::time::timeout(scaled(self.timeout), read).await);
        start.truncate(limit);
        String::from_utf8_lossy(&start).into_owned()
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.base_url)
    }

    async fn post(
        &self,
        path: &str,
        body: &impl Serialize,
        model: &str,
        on_retry: OnRetry<'_>,
    ) -> Result<reqwest::Response, ApiError> {
        let url = self.url(path);
        self.send(|| self.http.post(&url).json(body), &url, model, on_retry)
            .await
    }

    /// Sends what `request` builds, with the key, until it succeeds or an error is not worth
    /// another attempt: the one retry loop of every endpoint.
    async fn send(
        &self,
        request: impl Fn() -> reqwest::RequestBuilder,
        url: &str,
        model: &str,
        on_retry: OnRetry<'_>,
    ) -> Result<reqwest::Response, ApiError> {
        let mut attempt = 1;
        loop {
            let error = match request().bearer_auth(&self.key).send().await {
                Ok(response) if response.status().is_success() && !is_html(&response) => {
                    return Ok(response);
                }
                Ok(response) if response.status().is_success() => self.html_page(response).await,
                Ok(response) if response.status().is_redirection() => {
                    let to = response
                        .headers()
                        .get(reqwest::header::LOCATION)
                        .and_then(|v| v.to_str().ok())
                        .map_or_else(
                            || "nowhere it named".to_owned(),
                            |to| error::scrub(to, &self.key),
                        );
                    ApiError::Redirected {
                        status: response.status().as_u16(),
                        to,
                    }
                }
                Ok(response) => {
                    let status = response.status();
                    let header = |name: &str| {
                        response
                            .headers()
                            .get(name)
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_owned)
                    };
                    let retry_after = retry::parse_retry_after(
                        header("retry-after").as_deref(),
                        header("retry-after-ms").as_deref(),
                    );
                    let text = self.start_of(response, ERROR_BODY_LIMIT).await;
                    ApiError::from_status(status, &text, model, &self.key, retry_after)
                }
                Err(e) => transport_error(&e, url, self.timeout, false),
            };
            let Some(wait) = retry::delay(&error, attempt) else {
                return Err(error);
            };
            attempt += 1;
            on_retry(&error, wait, attempt);
            tokio::time::sleep(scaled(wait)).await;
        }
    }
}

/// A plain GET with no key, for public files such as the price table; `limit` bounds the
/// body (a bigger one is refused as it arrives, not after).
pub async fn fetch_text(url: &str, timeout: Duration, limit: u64) -> Result<String, ApiError> {
    let bytes = fetch_bytes(url, timeout, limit).await?;
    String::from_utf8(bytes)
        .map_err(|_| ApiError::Malformed(format!("{url} did not send UTF-8 text")))
}

/// As `fetch_text`, for binary files such as an image the server left at a URL.
pub async fn fetch_bytes(url: &str, timeout: Duration, limit: u64) -> Result<Vec<u8>, ApiError> {
    let http = reqwest::Client::builder()
        .connect_timeout(scaled(Duration::from_secs(15)))
        .read_timeout(scaled(timeout))
        .build()
        .map_err(|e| ApiError::Connect {
            url: url.to_owned(),
            reason: e.to_string(),
        })?;
    let response = http
        .get(url)
        .send()
        .await
        .map_err(|e| transport_error(&e, url, timeout, false))?;
    let status = response.status();
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let body = read_within(response, limit, url, timeout, || {
        ApiError::Malformed(format!(
            "{url} sent more than {}, the most tm takes from it",
            crate::attach::size(limit as u64)
        ))
    })
    .await?;
    if !status.is_success() {
        return Err(ApiError::from_status(
            status,
            &String::from_utf8_lossy(&body),
            "",
            "",
            None,
        ));
    }
    Ok(body)
}

/// A whole body, ended with the error `too_large` makes the moment it passes `limit` bytes:
/// what is refused is never held whole.
async fn read_within(
    mut response: reqwest::Response,
    limit: usize,
    url: &str,
    timeout: Duration,
    too_large: impl FnOnce() -> ApiError,
) -> Result<Vec<u8>, ApiError> {
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| transport_error(&e, url, timeout, true))?
    {
        body.extend_from_slice(&chunk);
        if body.len() > limit {
            return Err(too_large());
        }
    }
    Ok(body)
}

fn transport_error(
    error: &reqwest::Error,
    url: &str,
    timeout: Duration,
    mid_body: bool,
) -> ApiError {
    if error.is_timeout() {
        return ApiError::Timeout(timeout);
    }
    let mut reason = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        reason = format!("{reason}: {cause}");
        source = cause.source();
    }
    if mid_body {
        ApiError::Dropped(reason)
    } else {
        ApiError::Connect {
            url: url.to_owned(),
            reason,
        }
    }
}
