#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>

#include <functional>

class QSocketNotifier;

namespace push::http {

// The write side of a long-lived response (Server-Sent Events) on a plain descriptor,
// without QTcpSocket: a frame goes to the kernel with one send() when nothing is queued;
// what the kernel does not take is queued as the shared frames themselves (no copy) and
// flushed with writev() when the socket becomes writable. Reading only watches for the
// peer's end. An idle stream holds no buffer at all (QTcpSocket keeps 16 KiB read and
// 32 KiB write ring-buffer chunks per connection once used). Unix only.
class RawStream final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RawStream)

public:
    // Takes ownership of `fd` (non-blocking). `onClosed` runs once when the peer goes.
    RawStream(int fd, std::function<void()> onClosed, QObject *parent = nullptr);
    ~RawStream() override;

    bool isOpen() const { return m_fd >= 0; }
    // Incoming bytes go here (a WebSocket); without a handler they are dropped (SSE).
    void setDataHandler(std::function<void(const char *, qsizetype)> handler)
    {
        m_onData = std::move(handler);
    }
    // Returns false when the connection is gone.
    bool write(const QByteArray &bytes);
    // Two buffers in one system call when nothing is queued (a frame header and a shared
    // payload).
    bool write(const QByteArray &first, const QByteArray &second);
    qint64 queued() const { return m_queued; }
    // Hands what is queued to the kernel as far as it takes it, then closes (FIN).
    void close();
    // Closes at once with a reset, dropping what is queued.
    void abort();

private:
    void onReadable();
    void flush();
    void watchWritable();
    void lost();
    void release();

    int m_fd;
    std::function<void()> m_onClosed;
    std::function<void(const char *, qsizetype)> m_onData;
    QSocketNotifier *m_reader = nullptr;
    QSocketNotifier *m_writer = nullptr; // created on the first backlog
    QList<QByteArray> m_queue;
    qsizetype m_offset = 0; // into m_queue.first()
    qint64 m_queued = 0;
};

} // namespace push::http
