//! A minimal HTTP/1.1 client over one keep-alive TCP connection, for the tests and the benchmark (the receiver's
//! own dependencies carry no HTTP client; this is enough for JSON requests to a loopback server).

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// One connection.
pub struct Client {
    stream: BufReader<TcpStream>,
}

/// An answer: status and body text.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

impl Answer {
    /// The body as JSON (`Null` when it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

impl Client {
    /// Connects to `addr` (`127.0.0.1:port`).
    pub async fn connect(addr: &str) -> std::io::Result<Client> {
        let s = TcpStream::connect(addr).await?;
        s.set_nodelay(true)?;
        Ok(Client { stream: BufReader::new(s) })
    }

    /// Sends a request and reads the answer (Content-Length bodies only, as the receiver sends).
    pub async fn request(&mut self, method: &str, path: &str, content_type: Option<&str>, body: &[u8]) -> std::io::Result<Answer> {
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: receiver\r\nContent-Length: {}\r\n", body.len());
        if let Some(ct) = content_type {
            head.push_str(&format!("Content-Type: {ct}\r\n"));
        }
        head.push_str("\r\n");
        let s = self.stream.get_mut();
        s.write_all(head.as_bytes()).await?;
        s.write_all(body).await?;
        let mut line = String::new();
        self.stream.read_line(&mut line).await?;
        let status = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidData, format!("bad status line {line:?}"))
        })?;
        let mut len = 0usize;
        loop {
            line.clear();
            if self.stream.read_line(&mut line).await? == 0 || line == "\r\n" {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut buf = vec![0; len];
        self.stream.read_exact(&mut buf).await?;
        Ok(Answer { status, body: String::from_utf8_lossy(&buf).into_owned() })
    }

    /// POST a JSON body.
    pub async fn post_json(&mut self, path: &str, body: &str) -> std::io::Result<Answer> {
        self.request("POST", path, Some("application/json"), body.as_bytes()).await
    }

    /// GET.
    pub async fn get(&mut self, path: &str) -> std::io::Result<Answer> {
        self.request("GET", path, None, b"").await
    }
}
