#include "rawstream.h"

#include <QEvent>
#include <QSocketNotifier>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#endif

namespace push::http {

#ifdef Q_OS_UNIX

namespace {

// A notifier that calls its stream directly: a signal-slot connection costs ~240 bytes
// per connection (heaptrack), more than the notifier itself.
class StreamNotifier final : public QSocketNotifier
{
public:
    StreamNotifier(int fd, Type type, RawStream *stream, void (RawStream::*handler)())
        : QSocketNotifier(qintptr(fd), type, stream)
        , m_stream(stream)
        , m_handler(handler)
    {}

protected:
    bool event(QEvent *e) override
    {
        if (e->type() == QEvent::SockAct || e->type() == QEvent::SockClose) {
            (m_stream->*m_handler)();
            return true;
        }
        return QSocketNotifier::event(e);
    }

private:
    RawStream *m_stream;
    void (RawStream::*m_handler)();
};

} // namespace

RawStream::RawStream(int fd, std::function<void()> onClosed, QObject *parent)
    : QObject(parent)
    , m_fd(fd)
    , m_onClosed(std::move(onClosed))
    , m_reader(new StreamNotifier(fd, QSocketNotifier::Read, this, &RawStream::onReadable))
{}

RawStream::~RawStream()
{
    release();
}

void RawStream::release()
{
    if (m_fd < 0)
        return;
    m_reader->setEnabled(false);
    if (m_writer)
        m_writer->setEnabled(false);
    ::close(m_fd);
    m_fd = -1;
    m_queue.clear();
    m_queued = 0;
}

void RawStream::watchWritable()
{
    if (!m_writer)
        m_writer = new StreamNotifier(m_fd, QSocketNotifier::Write, this, &RawStream::flush);
    m_writer->setEnabled(true);
}

void RawStream::lost()
{
    if (m_fd < 0)
        return;
    release();
    if (m_onClosed)
        m_onClosed();
}

void RawStream::onReadable()
{
    // A stream's client has nothing to say: drain, and notice the end.
    char buffer[16384];
    for (;;) {
        const ssize_t n = ::recv(m_fd, buffer, m_onData ? sizeof buffer : 1024, MSG_DONTWAIT);
        if (n > 0) {
            if (m_onData) {
                m_onData(buffer, qsizetype(n));
                if (m_fd < 0)
                    return; // the handler closed the stream
            }
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return;
        lost();
        return;
    }
}

bool RawStream::write(const QByteArray &bytes)
{
    if (m_fd < 0)
        return false;
    if (bytes.isEmpty())
        return true;
    if (m_queued == 0) {
        const ssize_t n =
            ::send(m_fd, bytes.constData(), size_t(bytes.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n == bytes.size())
            return true;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            lost();
            return false;
        }
        m_queue.append(bytes); // shared, not copied
        m_offset = n > 0 ? n : 0;
        m_queued = bytes.size() - m_offset;
    } else {
        m_queue.append(bytes);
        m_queued += bytes.size();
    }
    watchWritable();
    return true;
}

bool RawStream::write(const QByteArray &first, const QByteArray &second)
{
    if (m_fd < 0)
        return false;
    if (m_queued > 0)
        return write(first) && write(second);
    iovec parts[2] = {{const_cast<char *>(first.constData()), size_t(first.size())},
                      {const_cast<char *>(second.constData()), size_t(second.size())}};
    const ssize_t n = ::writev(m_fd, parts, 2);
    if (n == first.size() + second.size())
        return true;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        lost();
        return false;
    }
    const qsizetype sent = n > 0 ? qsizetype(n) : 0;
    if (sent < first.size()) {
        m_queue.append(first);
        m_queue.append(second);
        m_offset = sent;
    } else {
        m_queue.append(second);
        m_offset = sent - first.size();
    }
    m_queued = first.size() + second.size() - sent;
    watchWritable();
    return true;
}

void RawStream::flush()
{
    while (m_fd >= 0 && !m_queue.isEmpty()) {
        iovec parts[64];
        int count = 0;
        for (qsizetype i = 0; i < m_queue.size() && count < 64; ++i, ++count) {
            const QByteArray &chunk = m_queue.at(i);
            const qsizetype skip = i == 0 ? m_offset : 0;
            parts[count].iov_base = const_cast<char *>(chunk.constData() + skip);
            parts[count].iov_len = size_t(chunk.size() - skip);
        }
        ssize_t n = ::writev(m_fd, parts, count);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                return; // the notifier calls again
            lost();
            return;
        }
        m_queued -= n;
        while (n > 0 && !m_queue.isEmpty()) {
            const qsizetype left = m_queue.first().size() - m_offset;
            if (n >= left) {
                n -= left;
                m_queue.removeFirst();
                m_offset = 0;
            } else {
                m_offset += n;
                n = 0;
            }
        }
    }
    if (m_writer && m_queue.isEmpty())
        m_writer->setEnabled(false);
}

void RawStream::close()
{
    if (m_fd < 0)
        return;
    flush();
    release(); // the kernel still sends what it holds, then FIN
}

void RawStream::abort()
{
    if (m_fd < 0)
        return;
    const linger reset{1, 0};
    ::setsockopt(m_fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    release();
}

#else
// Elsewhere streams stay on QTcpSocket (HttpConnection::goRaw() never creates one).
RawStream::RawStream(int fd, std::function<void()> onClosed, QObject *parent)
    : QObject(parent)
    , m_fd(fd)
    , m_onClosed(std::move(onClosed))
{}
RawStream::~RawStream() = default;
bool RawStream::write(const QByteArray &)
{
    return false;
}
bool RawStream::write(const QByteArray &, const QByteArray &)
{
    return false;
}
void RawStream::close() {}
void RawStream::abort() {}
void RawStream::onReadable() {}
void RawStream::flush() {}
void RawStream::lost() {}
void RawStream::release() {}
#endif

} // namespace push::http
