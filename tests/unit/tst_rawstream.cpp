// RawStream on its own, over a real loopback TCP pair: the stream writes on the accepted
// descriptor, the test reads (or does not read) with a QTcpSocket. Covers frames arriving
// whole and in order (one buffer or two), the backlog when the peer stops reading and its
// draining when it reads again, close() and abort(), writes after the end, incoming bytes,
// and a peer that goes away. Waits are QTRY_ conditions, never sleeps.
#include "http/rawstream.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

#include <csignal>
#include <fcntl.h>
#include <unistd.h>

using push::http::RawStream;

namespace {

// Hands out the accepted descriptor itself instead of a QTcpSocket.
class RawServer final : public QTcpServer
{
public:
    int takeDescriptor()
    {
        const int fd = m_fd;
        m_fd = -1;
        return fd;
    }
    ~RawServer() override
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = int(descriptor);
    }

private:
    int m_fd = -1;
};

// A connected pair: `peer` is the test's end, `fd` the non-blocking descriptor a RawStream
// takes over.
struct Pair
{
    RawServer server;
    QTcpSocket peer;
    int fd = -1;

    bool open()
    {
        if (!server.listen(QHostAddress::LocalHost, 0))
            return false;
        peer.connectToHost(QHostAddress::LocalHost, server.serverPort());
        if (!peer.waitForConnected(5000) || !server.waitForNewConnection(5000))
            return false;
        fd = server.takeDescriptor();
        return fd >= 0 && ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK) == 0;
    }
};

// Frame `i`: its number, then filler, so that a lost, doubled or reordered frame shows.
QByteArray frame(int i, qsizetype size)
{
    QByteArray bytes = QByteArray::number(i).rightJustified(8, '0') + ':';
    bytes += QByteArray(size - bytes.size(), char('a' + i % 26));
    return bytes;
}

// Writes 64 KiB frames (alternately with write(a) and write(a, b)) without letting the
// peer read until the kernel's buffers are full and the stream holds a backlog.
bool fillUntilBacklog(RawStream &stream, QByteArray &expected, int &next)
{
    for (int round = 0; round < 4096 && stream.queued() == 0; ++round) {
        const QByteArray first = frame(next++, 65536);
        if (round % 2 == 0) {
            if (!stream.write(first))
                return false;
            expected += first;
        } else {
            const QByteArray second = frame(next++, 1000);
            if (!stream.write(first, second))
                return false;
            expected += first + second;
        }
    }
    return stream.queued() > 0;
}

} // namespace

class TestRawStream : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void framesArriveWholeAndInOrder();
    void twoBuffersArriveAsOne();
    void emptyWritesSendNothing();
    void backlogGrowsWhilePeerDoesNotRead();
    void backlogDrainsWhenPeerReads();
    void closeDeliversEverythingThenEnds();
    void abortDropsTheBacklog();
    void writesAfterCloseAreRefused();
    void peerClosingIsNoticedOnce();
    void peerGoingAwayDuringBacklogIsNoticed();
    void incomingBytesReachTheHandler();
};

void TestRawStream::initTestCase()
{
    // As in push-service (platform_posix.cpp): a write to a reset connection must fail
    // with EPIPE, not end the process.
    std::signal(SIGPIPE, SIG_IGN);
}

void TestRawStream::framesArriveWholeAndInOrder()
{
    Pair pair;
    QVERIFY(pair.open());
    RawStream stream(pair.fd, nullptr);
    QVERIFY(stream.isOpen());

    QByteArray expected;
    for (int i = 0; i < 50; ++i) {
        const QByteArray bytes = "data: " + frame(i, 100 + i) + "\n\n";
        QVERIFY(stream.write(bytes));
        expected += bytes;
    }
    QCOMPARE(stream.queued(), 0); // a peer with room takes everything at once

    QByteArray received;
    QTRY_VERIFY((received += pair.peer.readAll()).size() >= expected.size());
    QCOMPARE(received, expected);
}

void TestRawStream::twoBuffersArriveAsOne()
{
    Pair pair;
    QVERIFY(pair.open());
    RawStream stream(pair.fd, nullptr);

    const QByteArray payload = "{\"event\":\"x\"}";
    QVERIFY(stream.write("id: 1\ndata: ", payload + "\n\n"));
    QVERIFY(stream.write(QByteArray(), "data: tail\n\n")); // an empty first buffer
    QVERIFY(stream.write("data: head\n\n", QByteArray())); // an empty second buffer
    const QByteArray expected =
        "id: 1\ndata: " + payload + "\n\n" + "data: tail\n\n" + "data: head\n\n";

    QByteArray received;
    QTRY_VERIFY((received += pair.peer.readAll()).size() >= expected.size());
    QCOMPARE(received, expected);
}

void TestRawStream::emptyWritesSendNothing()
{
    Pair pair;
    QVERIFY(pair.open());
    RawStream stream(pair.fd, nullptr);

    QVERIFY(stream.write(QByteArray()));
    QVERIFY(stream.write(QByteArray(), QByteArray()));
    QCOMPARE(stream.queued(), 0);
    QVERIFY(stream.write("end"));

    QByteArray received;
    QTRY_VERIFY((received += pair.peer.readAll()).size() >= 3);
    QCOMPARE(received, QByteArray("end"));
}

void TestRawStream::backlogGrowsWhilePeerDoesNotRead()
{
    Pair pair;
    QVERIFY(pair.open());
    RawStream stream(pair.fd, nullptr);

    // No event loop runs here: the peer reads nothing.
    QByteArray expected;
    int next = 0;
    QVERIFY(fillUntilBacklog(stream, expected, next));

    // With a backlog every later frame is queued whole, in one buffer or two.
    const qint64 before = stream.queued();
    QVERIFY(stream.write(frame(next++, 4000)));
    QCOMPARE(stream.queued(), before + 4000);
    const QByteArray head = frame(next++, 300);
    QVERIFY(stream.write(head, frame(next++, 700)));
    QCOMPARE(stream.queued(), before + 5000);
    QVERIFY(stream.isOpen());
}

void TestRawStream::backlogDrainsWhenPeerReads()
{
    Pair pair;
    QVERIFY(pair.open());
    int closed = 0;
    RawStream stream(pair.fd, [&closed] { ++closed; });

    QByteArray expected;
    int next = 0;
    QVERIFY(fillUntilBacklog(stream, expected, next));
    for (int i = 0; i < 10; ++i) {
        const QByteArray bytes = frame(next++, 5000);
        QVERIFY(stream.write(bytes.left(8), bytes.mid(8)));
        expected += bytes;
    }

    // The peer reads again: the stream flushes on its own as the socket becomes writable.
    QByteArray received;
    QTRY_VERIFY_WITH_TIMEOUT((received += pair.peer.readAll()).size() >= expected.size(), 30000);
    QCOMPARE(stream.queued(), 0);
    QCOMPARE(received.size(), expected.size());
    QVERIFY(received == expected); // not QCOMPARE: megabytes in a failure message
    QCOMPARE(closed, 0);

    // Drained, the stream writes directly again.
    QVERIFY(stream.write("after"));
    QCOMPARE(stream.queued(), 0);
    QByteArray tail;
    QTRY_COMPARE(tail += pair.peer.readAll(), QByteArray("after"));
}

void TestRawStream::closeDeliversEverythingThenEnds()
{
    Pair pair;
    QVERIFY(pair.open());
    int closed = 0;
    RawStream stream(pair.fd, [&closed] { ++closed; });

    QByteArray expected;
    for (int i = 0; i < 20; ++i) {
        const QByteArray bytes = frame(i, 2000);
        QVERIFY(stream.write(bytes));
        expected += bytes;
    }
    stream.close();
    QVERIFY(!stream.isOpen());
    QCOMPARE(stream.queued(), 0);

    // Everything, then the end of the stream (FIN, not a reset).
    QByteArray received;
    QTRY_COMPARE((received += pair.peer.readAll(), pair.peer.state()),
                 QAbstractSocket::UnconnectedState);
    received += pair.peer.readAll();
    QCOMPARE(received, expected);
    QCOMPARE(pair.peer.error(), QAbstractSocket::RemoteHostClosedError);
    QCOMPARE(closed, 0); // onClosed is for the peer going, not for our own close()
}

void TestRawStream::abortDropsTheBacklog()
{
    Pair pair;
    QVERIFY(pair.open());
    int closed = 0;
    RawStream stream(pair.fd, [&closed] { ++closed; });

    QByteArray expected;
    int next = 0;
    QVERIFY(fillUntilBacklog(stream, expected, next));
    const qint64 dropped = stream.queued();
    stream.abort();
    QVERIFY(!stream.isOpen());
    QCOMPARE(stream.queued(), 0);

    // The peer sees the connection end; what was still queued never reaches it.
    QByteArray received;
    QTRY_VERIFY_WITH_TIMEOUT(
        (received += pair.peer.readAll(), pair.peer.state() == QAbstractSocket::UnconnectedState),
        30000);
    received += pair.peer.readAll();
    QVERIFY(received.size() <= expected.size() - dropped);
    QVERIFY(received == expected.left(received.size())); // a prefix, in order
    QCOMPARE(closed, 0);
}

void TestRawStream::writesAfterCloseAreRefused()
{
    Pair pair;
    QVERIFY(pair.open());
    RawStream stream(pair.fd, nullptr);
    QVERIFY(stream.write("before"));

    stream.close();
    QVERIFY(!stream.write("after"));
    QVERIFY(!stream.write("after", "after"));
    QVERIFY(!stream.write(QByteArray()));
    QCOMPARE(stream.queued(), 0);
    stream.close(); // twice is harmless
    stream.abort();

    QByteArray received;
    QTRY_COMPARE((received += pair.peer.readAll(), pair.peer.state()),
                 QAbstractSocket::UnconnectedState);
    received += pair.peer.readAll();
    QCOMPARE(received, QByteArray("before"));
}

void TestRawStream::peerClosingIsNoticedOnce()
{
    Pair pair;
    QVERIFY(pair.open());
    int closed = 0;
    RawStream stream(pair.fd, [&closed] { ++closed; });

    pair.peer.disconnectFromHost(); // FIN: the stream reads its end
    QTRY_COMPARE(closed, 1);
    QVERIFY(!stream.isOpen());
    QVERIFY(!stream.write("late"));
    stream.close();
    stream.abort();
    QCoreApplication::processEvents();
    QCOMPARE(closed, 1);
}

void TestRawStream::peerGoingAwayDuringBacklogIsNoticed()
{
    Pair pair;
    QVERIFY(pair.open());
    int closed = 0;
    RawStream stream(pair.fd, [&closed] { ++closed; });

    QByteArray expected;
    int next = 0;
    QVERIFY(fillUntilBacklog(stream, expected, next));
    pair.peer.abort(); // a reset, with the stream's data unread

    QTRY_COMPARE(closed, 1);
    QVERIFY(!stream.isOpen());
    QCOMPARE(stream.queued(), 0);
    QVERIFY(!stream.write("late"));
    QCOMPARE(closed, 1);
}

void TestRawStream::incomingBytesReachTheHandler()
{
    Pair pair;
    QVERIFY(pair.open());
    int closed = 0;
    RawStream stream(pair.fd, [&closed] { ++closed; });
    QByteArray incoming;
    stream.setDataHandler(
        [&incoming](const char *data, qsizetype size) { incoming.append(data, size); });

    const QByteArray big(100000, 'w'); // more than one read
    pair.peer.write("hello ");
    pair.peer.write(big);
    QTRY_COMPARE(incoming.size(), 6 + big.size());
    QCOMPARE(incoming, "hello " + big);
    QCOMPARE(closed, 0);

    // A handler may close the stream while it is called: nothing runs after.
    stream.setDataHandler([&stream, &incoming](const char *data, qsizetype size) {
        incoming.append(data, size);
        stream.close();
    });
    incoming.clear();
    pair.peer.write("bye");
    QTRY_VERIFY(!stream.isOpen());
    QCOMPARE(incoming, QByteArray("bye"));
    QTRY_COMPARE(pair.peer.state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(closed, 0);
}

QTEST_GUILESS_MAIN(TestRawStream)
#include "tst_rawstream.moc"
