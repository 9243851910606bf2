//! A tiny SMTP server inside the test: enough of EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP and
//! QUIT to capture what docket sends, and to refuse a number of transactions (451) first.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One message the sink accepted.
#[derive(Debug, Clone)]
pub struct Captured {
    /// The envelope's recipients.
    pub to: Vec<String>,
    /// The message as sent (headers and body, dot-stuffing undone).
    pub data: String,
}

impl Captured {
    /// A header's value (the first of that name).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or("");
        let mut value: Option<String> = None;
        for line in head.split("\r\n") {
            if let Some(v) = value.as_mut() {
                if line.starts_with([' ', '\t']) {
                    v.push_str(line.trim_start());
                    continue;
                }
                break;
            }
            if let Some((k, v)) = line.split_once(':')
                && k.eq_ignore_ascii_case(name)
            {
                value = Some(v.trim().to_string());
            }
        }
        value
    }

    /// The subject.
    pub fn subject(&self) -> String {
        self.header("Subject").unwrap_or_default()
    }

    /// The body, quoted-printable decoded when so encoded.
    pub fn body(&self) -> String {
        let raw = self.data.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
        let qp = self
            .header("Content-Transfer-Encoding")
            .is_some_and(|e| e.eq_ignore_ascii_case("quoted-printable"));
        if !qp {
            return raw.replace("\r\n", "\n");
        }
        let joined = raw.replace("=\r\n", "");
        let bytes = joined.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'='
                && i + 2 < bytes.len()
                && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).replace("\r\n", "\n")
    }
}

/// The running sink.
pub struct SmtpSink {
    /// Where it listens.
    pub addr: SocketAddr,
    messages: Arc<Mutex<Vec<Captured>>>,
    refuse: Arc<AtomicUsize>,
    refused: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpSink {
    /// Starts listening on a free loopback port.
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let messages = Arc::new(Mutex::new(Vec::new()));
        let refuse = Arc::new(AtomicUsize::new(0));
        let refused = Arc::new(AtomicUsize::new(0));
        let (m, r, d) = (messages.clone(), refuse.clone(), refused.clone());
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(session(socket, m.clone(), r.clone(), d.clone()));
            }
        });
        SmtpSink {
            addr,
            messages,
            refuse,
            refused,
            task,
        }
    }

    /// Refuses the next `n` transactions with `451` (a temporary failure).
    pub fn refuse_next(&self, n: usize) {
        self.refuse.store(n, Ordering::SeqCst);
    }

    /// How many transactions were refused.
    pub fn refused(&self) -> usize {
        self.refused.load(Ordering::SeqCst)
    }

    /// Everything accepted so far.
    pub fn messages(&self) -> Vec<Captured> {
        self.messages.lock().unwrap().clone()
    }

    /// The messages to `address`.
    pub fn to(&self, address: &str) -> Vec<Captured> {
        self.messages()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(address)))
            .collect()
    }

    /// Waits (up to 20 s) until `address` has received `n` messages; returns them.
    pub async fn wait_for(&self, address: &str, n: usize) -> Vec<Captured> {
        for _ in 0..400 {
            let got = self.to(address);
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "{address} did not receive {n} messages; all received: {:#?}",
            self.messages()
                .iter()
                .map(|m| (m.to.clone(), m.subject()))
                .collect::<Vec<_>>()
        );
    }
}

async fn reply(w: &mut tokio::net::tcp::OwnedWriteHalf, text: &str) {
    let _ = w.write_all(format!("{text}\r\n").as_bytes()).await;
}

async fn session(
    socket: tokio::net::TcpStream,
    messages: Arc<Mutex<Vec<Captured>>>,
    refuse: Arc<AtomicUsize>,
    refused: Arc<AtomicUsize>,
) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    reply(&mut write, "220 sink.test ESMTP").await;
    let mut to: Vec<String> = Vec::new();
    loop {
        let mut line = String::new();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let cmd = line.trim_end().to_string();
        let upper = cmd.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            reply(&mut write, "250-sink.test\r\n250 8BITMIME").await;
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            reply(&mut write, "250 OK").await;
        } else if upper.starts_with("RSET") {
            to.clear();
            reply(&mut write, "250 OK").await;
        } else if upper.starts_with("MAIL FROM:") {
            let left = refuse.load(Ordering::SeqCst);
            if left > 0 {
                refuse.store(left - 1, Ordering::SeqCst);
                refused.fetch_add(1, Ordering::SeqCst);
                reply(&mut write, "451 4.3.0 try again later").await;
            } else {
                to.clear();
                reply(&mut write, "250 OK").await;
            }
        } else if upper.starts_with("RCPT TO:") {
            let addr = cmd[8..]
                .split(['<', '>'])
                .find(|s| s.contains('@'))
                .unwrap_or("")
                .to_string();
            to.push(addr);
            reply(&mut write, "250 OK").await;
        } else if upper == "DATA" {
            reply(&mut write, "354 end with <CRLF>.<CRLF>").await;
            let mut data = String::new();
            loop {
                let mut l = String::new();
                match lines.read_line(&mut l).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
                if l == ".\r\n" || l == ".\n" {
                    break;
                }
                let l = l
                    .strip_prefix('.')
                    .filter(|_| l.starts_with(".."))
                    .unwrap_or(l.as_str());
                data.push_str(l);
            }
            messages.lock().unwrap().push(Captured {
                to: std::mem::take(&mut to),
                data,
            });
            reply(&mut write, "250 OK queued").await;
        } else if upper.starts_with("QUIT") {
            reply(&mut write, "221 bye").await;
            return;
        } else {
            reply(&mut write, "502 not implemented").await;
        }
    }
}
