#include "httpconnection.h"

#include "http/addressquota.h"
#include "http/rawstream.h"
#include "metrics/limitmetrics.h"

#include <QLoggingCategory>
#include <QTcpSocket>
#include <QUrl>

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

Q_LOGGING_CATEGORY(lcHttp, "push.http")

namespace push::http {

namespace {

HttpConnection *self(http_parser *parser)
{
    return static_cast<HttpConnection *>(parser->data);
}

// A body over the limit is read and dropped up to this size so that the client can read
// the 413; beyond it the connection is closed at once.
constexpr quint64 kMaxDiscardBytes = 64 * 1024 * 1024;
// What Qt reads ahead of the parser: past it, the kernel's buffers (and TCP flow control)
// hold the peer back.
constexpr qint64 kReadBufferBytes = 128 * 1024;

const http_parser_settings &parserSettings()
{
    static const http_parser_settings settings = [] {
        http_parser_settings s{};
        s.on_url = [](http_parser *p, const char *at, size_t n) { return self(p)->onUrl(at, n); };
        s.on_header_field = [](http_parser *p, const char *at, size_t n) {
            return self(p)->onHeaderField(at, n);
        };
        s.on_header_value = [](http_parser *p, const char *at, size_t n) {
            return self(p)->onHeaderValue(at, n);
        };
        s.on_headers_complete = [](http_parser *p) { return self(p)->onHeadersComplete(); };
        s.on_body = [](http_parser *p, const char *at, size_t n) { return self(p)->onBody(at, n); };
        s.on_message_complete = [](http_parser *p) { return self(p)->onMessageComplete(); };
        return s;
    }();
    return settings;
}

} // namespace

HttpConnection::HttpConnection(qintptr descriptor, HttpConnectionHandler *handler,
                               const HttpLimits &limits)
    : m_socket(new QTcpSocket(this))
    , m_handler(handler)
    , m_limits(limits)
    , m_p(std::make_unique<Parsing>())
{
    m_activity.start();
    if (!m_socket->setSocketDescriptor(descriptor)) {
        qCWarning(lcHttp) << "cannot adopt socket" << descriptor << m_socket->errorString();
        m_state = State::Closed;
        return;
    }
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_socket->setReadBufferSize(kReadBufferBytes);
    m_peer = m_socket->peerAddress();
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &HttpConnection::onBytesWritten);
    connect(m_socket, &QTcpSocket::disconnected, this, &HttpConnection::onDisconnected);
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError e) {
        if (e != QAbstractSocket::RemoteHostClosedError)
            qCDebug(lcHttp) << "socket error" << m_socket->errorString();
        if (m_socket->state() != QAbstractSocket::ConnectedState)
            onDisconnected();
    });
    beginRequest();
    if (m_limits.connections) {
        const auto refusal = m_limits.connections->acquire(m_peer);
        if (refusal != AddressQuota::Refusal::None) {
            const bool perAddress = refusal == AddressQuota::Refusal::PerAddress;
            metrics::limitHit(perAddress ? metrics::Limit::ConnectionsPerAddress
                                         : metrics::Limit::Connections,
                              m_peer.toString());
            m_state = State::Dispatched;
            writeResponse(
                errorResponse(ApiError::Unavailable,
                              perAddress ? QStringLiteral("too many connections from this address")
                                         : QStringLiteral("too many connections")),
                false);
            return;
        }
        m_holdsQuota = true;
    }
}

HttpConnection::~HttpConnection()
{
    if (m_holdsQuota)
        m_limits.connections->release(m_peer);
}

bool HttpConnection::isOpen() const
{
    if (m_state == State::Closed || m_state == State::Closing)
        return false;
    if (m_raw)
        return m_raw->isOpen();
    return m_socket && m_socket->state() == QAbstractSocket::ConnectedState;
}

QHostAddress HttpConnection::peerAddress() const
{
    return m_peer;
}

void HttpConnection::beginRequest()
{
    http_parser_init(&m_p->parser, HTTP_REQUEST);
    m_p->parser.data = this;
    m_p->request = HttpRequest{};
    m_p->request.peer = m_peer;
    m_p->url.clear();
    m_p->field.clear();
    m_p->value.clear();
    m_p->messageComplete = false;
    m_p->tooLarge = false;
    m_p->head = false;
    m_p->heldUpgrade = false;
    m_p->hostHeaders = 0;
    m_p->rejected = false;
    m_p->rejectionMessage.clear();
    m_state = State::Idle;
    // Everything read for this request's head can be put back for an upgrade.
    m_socket->startTransaction();
    m_p->inTransaction = true;
    // The next request (already read, or still in the socket) is taken up from the event
    // loop: pipelined requests answered at once must not recurse.
    if (!m_p->pending.isEmpty() || m_socket->bytesAvailable() > 0) {
        if (!m_resumeScheduled) {
            m_resumeScheduled = true;
            QMetaObject::invokeMethod(this, &HttpConnection::resume, Qt::QueuedConnection);
        }
    }
}

bool HttpConnection::responsesBacklogged() const
{
    return m_socket && m_socket->bytesToWrite() > m_limits.maxQueuedResponseBytes;
}

void HttpConnection::resume()
{
    m_resumeScheduled = false;
    if (!m_socket || !m_p || (m_state != State::Idle && m_state != State::Reading))
        return;
    if (responsesBacklogged()) {
        metrics::limitHit(metrics::Limit::QueuedResponses, m_peer.toString());
        return; // onBytesWritten() resumes once the peer has read
    }
    if (!m_p->pending.isEmpty()) {
        QByteArray pending;
        pending.swap(m_p->pending);
        feed(pending.constData(), pending.size());
    }
    onReadyRead();
}

void HttpConnection::onBytesWritten()
{
    if (m_socket && m_p && (m_state == State::Idle || m_state == State::Reading) &&
        (!m_p->pending.isEmpty() || m_socket->bytesAvailable() > 0) && !responsesBacklogged() &&
        !m_resumeScheduled) {
        m_resumeScheduled = true;
        QMetaObject::invokeMethod(this, &HttpConnection::resume, Qt::QueuedConnection);
    }
}

void HttpConnection::onReadyRead()
{
    if (!m_socket)
        return;
    if (m_state == State::Streaming || m_state == State::Closing || m_state == State::Closed) {
        m_socket->skip(m_socket->bytesAvailable()); // a stream's client has nothing to say
        return;
    }
    if (m_state == State::Dispatched)
        return; // one request at a time; the rest waits in the socket
    if (responsesBacklogged()) {
        // The peer sends requests but does not read the answers: stop reading until it does.
        metrics::limitHit(metrics::Limit::QueuedResponses, m_peer.toString());
        return;
    }
    if (!m_p->pending.isEmpty())
        return; // resume() takes the bytes already read first
    // A request answered at once begins the next one: the bytes already read past it
    // (pending) come before the socket's, and resume() takes them up.
    while (m_socket && (m_state == State::Idle || m_state == State::Reading) && m_p &&
           m_p->pending.isEmpty() && m_socket->bytesAvailable() > 0) {
        char buffer[16384];
        const qint64 n = m_socket->read(buffer, sizeof buffer);
        if (n <= 0)
            break;
        feed(buffer, n);
    }
}

void HttpConnection::feed(const char *data, qint64 size)
{
    if (m_state == State::Idle) {
        m_state = State::Reading;
        m_activity.restart();
    }
    const size_t parsed = http_parser_execute(&m_p->parser, &parserSettings(), data, size_t(size));
    const auto error = HTTP_PARSER_ERRNO(&m_p->parser);
    if (m_p->rejected) {
        // Refused on its head (version, Host, Expect, CONNECT): answered before any body.
        fail(m_p->rejection, m_p->rejectionMessage);
        return;
    }
    if (m_p->tooLarge && (m_p->messageComplete || m_p->parser.content_length > kMaxDiscardBytes)) {
        // The body was read and thrown away (so that the client, still sending, gets to
        // read the answer), or it is too large even to throw away.
        fail(ApiError::PayloadTooLarge,
             "request body exceeds " + QByteArray::number(m_limits.maxBodyBytes) + " bytes");
        return;
    }
    if (m_p->messageComplete) {
        if (m_p->parser.upgrade && m_p->inTransaction) {
            // The socket still holds the head, for the new protocol to read. Unless the
            // upgrade is taken, the connection ends with the answer (see writeResponse).
            m_socket->rollbackTransaction();
            m_p->inTransaction = false;
            m_p->heldUpgrade = true;
        } else {
            if (parsed < size_t(size))
                m_p->pending.append(data + parsed, qsizetype(size_t(size) - parsed));
        }
        m_state = State::Dispatched;
        m_activity.restart();
        m_handler->onRequest(this, std::move(m_p->request));
        return;
    }
    if (error == HPE_HEADER_OVERFLOW) {
        // A head past http_parser's 80 KiB. When what overflowed is a credential (the
        // Authorization header, a token in the URL), say so as an authentication failure.
        const bool credential =
            m_p->field.toLower() == "authorization" ||
            (m_p->field.isEmpty() && m_p->request.headers.isEmpty() && m_p->url.contains("token="));
        if (credential)
            fail(ApiError::Unauthorized, "the token is too large");
        else
            fail(ApiError::HeaderTooLarge, "the request head exceeds 80 KiB");
    } else if (error != HPE_OK) {
        fail(ApiError::BadRequest,
             QByteArray("malformed HTTP request: ") + http_errno_description(error));
    }
}

void HttpConnection::fail(ApiError error, const QByteArray &message)
{
    qCInfo(lcHttp).noquote() << "rejecting request from" << peerAddress().toString()
                             << statusOf(error) << message;
    if (m_p->inTransaction) {
        m_socket->commitTransaction();
        m_p->inTransaction = false;
    }
    m_p->pending.clear();
    writeResponse(errorResponse(error, QString::fromUtf8(message)), false);
}

int HttpConnection::onUrl(const char *at, size_t length)
{
    m_p->url.append(at, qsizetype(length));
    return 0;
}

void HttpConnection::finishHeader()
{
    if (m_p->field.isEmpty())
        return;
    const QByteArray name = m_p->field.toLower();
    if (name == "host")
        ++m_p->hostHeaders;
    const QByteArray value = m_p->value.trimmed();
    auto it = m_p->request.headers.find(name);
    if (it == m_p->request.headers.end())
        m_p->request.headers.insert(name, value);
    else
        it.value() += ", " + value;
    m_p->field.clear();
    m_p->value.clear();
}

int HttpConnection::onHeaderField(const char *at, size_t length)
{
    if (m_p->lastWasValue)
        finishHeader();
    m_p->lastWasValue = false;
    m_p->field.append(at, qsizetype(length));
    return 0;
}

int HttpConnection::onHeaderValue(const char *at, size_t length)
{
    m_p->lastWasValue = true;
    m_p->value.append(at, qsizetype(length));
    return 0;
}

int HttpConnection::onHeadersComplete()
{
    finishHeader();
    m_p->lastWasValue = false;
    m_p->request.method = http_method_str(http_method(m_p->parser.method));
    m_p->request.target = m_p->url;
    m_p->head = m_p->parser.method == HTTP_HEAD;
    QUrl url;
    const QByteArray lowerUrl = m_p->url.left(8).toLower();
    if (lowerUrl.startsWith("http://") || lowerUrl.startsWith("https://")) {
        // Absolute form (RFC 9112 §3.2.2): the target's authority replaces Host.
        url = QUrl::fromEncoded(m_p->url);
        const QByteArray authority = url.authority(QUrl::FullyEncoded).toLatin1();
        if (!url.isValid() || !isWellFormedHost(authority)) {
            reject(ApiError::BadRequest, "malformed absolute request target");
            return 0;
        }
        m_p->request.headers.insert("host", authority);
        m_p->hostHeaders = 1;
        m_p->request.target = url.path(QUrl::FullyEncoded).toLatin1();
        if (url.hasQuery())
            m_p->request.target += '?' + url.query(QUrl::FullyEncoded).toLatin1();
    } else {
        url = QUrl::fromEncoded("http://host" + m_p->url);
    }
    m_p->request.path = url.path(QUrl::FullyDecoded);
    m_p->request.encodedPath = url.path(QUrl::FullyEncoded);
    m_p->request.query = QUrlQuery(url);
    m_p->request.keepAlive = http_should_keep_alive(&m_p->parser) != 0;
    m_origin = m_p->request.headers.value("origin");
    if (!m_p->parser.upgrade && m_p->inTransaction) {
        // Only an upgrade needs its head put back; a body is read past the head.
        m_socket->commitTransaction();
        m_p->inTransaction = false;
    }
    if ((m_p->parser.flags & F_CONTENTLENGTH) &&
        m_p->parser.content_length > quint64(m_limits.maxBodyBytes)) {
        m_p->tooLarge = true;
        if (m_p->parser.content_length > kMaxDiscardBytes)
            http_parser_pause(&m_p->parser, 1);
    }
    checkHead();
    return 0;
}

int HttpConnection::onBody(const char *at, size_t length)
{
    if (m_p->tooLarge || m_p->request.body.size() + qint64(length) > m_limits.maxBodyBytes) {
        m_p->tooLarge = true;
        m_p->request.body.clear();
        return 0; // discarded
    }
    m_p->request.body.append(at, qsizetype(length));
    return 0;
}

int HttpConnection::onMessageComplete()
{
    m_p->messageComplete = true;
    http_parser_pause(&m_p->parser, 1);
    return 0;
}

void HttpConnection::writeResponse(const HttpResponse &response, bool keepAlive)
{
    if (!m_socket || m_state == State::Closed)
        return;
    HeaderList headers = response.headers;
    addCorsHeaders(headers);
    headers.append(std::pair<QByteArray, QByteArray>("Content-Length",
                                                     QByteArray::number(response.body.size())));
    if (m_p->heldUpgrade) {
        // An upgrade answered by an ordinary response: its head is still in the socket, and
        // what follows it would be another protocol's bytes. Drop them and end here.
        m_socket->skip(m_socket->bytesAvailable());
        m_p->pending.clear();
        keepAlive = false;
    }
    headers.append(
        std::pair<QByteArray, QByteArray>("Connection", keepAlive ? "keep-alive" : "close"));
    m_socket->write(serializeHead(response.status, headers));
    if (!response.body.isEmpty() && !m_p->head)
        m_socket->write(response.body);
    if (keepAlive) {
        beginRequest();
    } else {
        close();
    }
}

void HttpConnection::addCorsHeaders(HeaderList &headers) const
{
    // Browsers call from other origins with credentials (EventSource withCredentials,
    // socket.io): reflect the origin, as ADSP's cors configuration does.
    if (m_origin.isEmpty() || m_origin == "null")
        return; // "null" (sandboxed documents, file: pages) is never trusted with credentials
    if (!m_limits.corsOrigins.isEmpty() && !m_limits.corsOrigins.contains(m_origin) &&
        !m_limits.corsOrigins.contains("*"))
        return;
    headers.append(std::pair<QByteArray, QByteArray>("Access-Control-Allow-Origin", m_origin));
    headers.append(std::pair<QByteArray, QByteArray>("Access-Control-Allow-Credentials", "true"));
    headers.append(std::pair<QByteArray, QByteArray>("Vary", "Origin"));
}

void HttpConnection::respond(const HttpResponse &response)
{
    if (m_state != State::Dispatched)
        return;
    writeResponse(response, m_p && m_p->request.keepAlive);
}

void HttpConnection::startStream(int status, const HeaderList &headers)
{
    if (m_state != State::Dispatched || !m_socket)
        return;
    HeaderList all = headers;
    addCorsHeaders(all);
    if (m_p->head) {
        // HEAD: the head a GET would get, and no stream.
        all.append(std::pair<QByteArray, QByteArray>("Connection", "close"));
        m_socket->write(serializeHead(status, all));
        close();
        return;
    }
    m_state = State::Streaming;
    const QByteArray head = serializeHead(status, all);
    m_p->pending.clear();
    m_socket->skip(m_socket->bytesAvailable());
    if (!goRaw(head))
        m_socket->write(head);
}

bool HttpConnection::goRaw(const QByteArray &head)
{
#ifdef Q_OS_UNIX
    // Only with nothing left in QTcpSocket's buffers: then the descriptor (a duplicate:
    // deleting the QTcpSocket closes the original) carries on alone.
    if (m_socket->bytesToWrite() > 0 || m_socket->bytesAvailable() > 0)
        return false;
    const int fd = ::dup(int(m_socket->socketDescriptor()));
    if (fd < 0)
        return false;
    m_p.reset(); // a stream keeps nothing of its request (nor its parser)
    // We are inside the socket's readyRead: close its descriptor now (ours is a
    // duplicate, so the connection stays up) and delete the object later.
    m_socket->disconnect(this);
    m_socket->abort();
    m_socket->deleteLater();
    m_socket = nullptr;
    m_raw = new RawStream(
        fd, [this] { onDisconnected(); }, this);
    m_raw->write(head);
    return true;
#else
    Q_UNUSED(head);
    return false;
#endif
}

RawStream *HttpConnection::upgradeToRaw(const QByteArray &response,
                                        std::function<void(const char *, qsizetype)> onData,
                                        std::function<void()> onClosed)
{
#ifdef Q_OS_UNIX
    if (m_state != State::Dispatched || !m_socket)
        return nullptr;
    m_socket->readAll(); // the request head, put back for takeSocket(); not needed here
    m_state = State::Streaming;
    m_p->pending.clear();
    if (!goRaw(response)) {
        m_state = State::Dispatched;
        return nullptr;
    }
    m_onStreamClosed = std::move(onClosed);
    m_raw->setDataHandler(std::move(onData));
    return m_raw;
#else
    Q_UNUSED(response);
    Q_UNUSED(onData);
    Q_UNUSED(onClosed);
    return nullptr;
#endif
}

bool HttpConnection::writeStream(const QByteArray &bytes)
{
    if (m_state != State::Streaming)
        return false;
    if (m_raw)
        return m_raw->write(bytes);
    return m_socket && m_socket->write(bytes) == bytes.size();
}

qint64 HttpConnection::bytesQueued() const
{
    if (m_raw)
        return m_raw->queued();
    return m_socket ? m_socket->bytesToWrite() : 0;
}

QTcpSocket *HttpConnection::takeSocket()
{
    if (!m_socket || m_state != State::Dispatched)
        return nullptr;
    QTcpSocket *socket = m_socket;
    socket->disconnect(this);
    socket->setParent(nullptr);
    m_socket = nullptr;
    m_state = State::Closed;
    m_handler->onClosed(this);
    return socket;
}

void HttpConnection::close()
{
    if (m_raw) {
        if (m_state != State::Closed) {
            m_raw->close();
            onDisconnected();
        }
        return;
    }
    if (!m_socket || m_state == State::Closed || m_state == State::Closing)
        return;
    m_state = State::Closing;
    m_activity.restart();           // the worker's sweep aborts a close that never completes
    m_socket->disconnectFromHost(); // flushes first; `disconnected` follows
}

void HttpConnection::abort()
{
    if (m_raw) {
        if (m_state != State::Closed) {
            m_raw->abort();
            onDisconnected();
        }
        return;
    }
    if (!m_socket || m_state == State::Closed)
        return;
    m_socket->abort();
    onDisconnected();
}

void HttpConnection::flushAndClose()
{
    if (m_raw) {
        close();
        return;
    }
    if (!m_socket || m_state == State::Closed)
        return;
    m_socket->flush();
    abort();
}

void HttpConnection::onDisconnected()
{
    if (m_state == State::Closed)
        return;
    m_state = State::Closed;
    if (m_onStreamClosed)
        std::exchange(m_onStreamClosed, nullptr)();
    m_handler->onClosed(this);
}

} // namespace push::http
