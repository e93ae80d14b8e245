// push-loadgen: holds many subscribers (SSE, socket.io over WebSocket, socket.io over
// long-polling) against a push server, publishes timestamped events at a chosen rate,
// and reports deliveries, publish→delivery latency and the server's CPU and memory.
// One epoll loop on one thread, plain sockets: the generator must stay much cheaper per
// connection than the servers it measures. Interface: tests/bench/LOADGEN.md.
#include "connection.h"
#include "stats.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Url
{
    std::string host = "127.0.0.1";
    int port = 80;
    std::string path = "/";
};

struct Options
{
    std::string transport = "sse";
    Url subscribe;
    std::string nsp = "/demo";
    std::string query;
    int subscribers = 100;
    int sources = 0;
    int slow = 0;
    Url publish;
    bool hasPublish = false;
    std::string publishFormat = "push";
    std::vector<std::string> publishHeaders;
    int eventBytes = 200;
    double rate = 10;
    double duration = 10;
    double settle = 2;
    long serverPid = 0;
    std::string jsonFile;
};

Options g_options;
int g_epoll = -1;
std::vector<Connection> g_connections;
std::vector<PollingClient> g_polls;
Histogram g_latency;
uint64_t g_deliveries = 0;
uint64_t g_errors = 0;
uint64_t g_disconnects = 0;
uint64_t g_connected = 0;
uint64_t g_published = 0;
uint64_t g_publishErrors = 0;
int g_connecting = 0;

int64_t nowMicros()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

double monotonicSeconds()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

bool parseUrl(const std::string &text, Url *url)
{
    const std::string prefix = "http://";
    if (text.compare(0, prefix.size(), prefix) != 0)
        return false;
    const std::string rest = text.substr(prefix.size());
    const size_t slash = rest.find('/');
    const std::string authority = rest.substr(0, slash);
    url->path = slash == std::string::npos ? "/" : rest.substr(slash);
    const size_t colon = authority.find(':');
    url->host = authority.substr(0, colon);
    if (url->host == "localhost")
        url->host = "127.0.0.1";
    url->port = colon == std::string::npos ? 80 : std::atoi(authority.c_str() + colon + 1);
    return true;
}

long readProcField(long pid, const char *key)
{
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.compare(0, std::strlen(key), key) == 0)
            return std::atol(line.c_str() + std::strlen(key));
    }
    return -1;
}

double readCpuSeconds(long pid)
{
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const size_t close = text.rfind(')');
    if (close == std::string::npos)
        return -1;
    std::istringstream fields(text.substr(close + 2));
    std::string field;
    unsigned long utime = 0, stime = 0;
    for (int i = 3; fields >> field; ++i) {
        if (i == 14)
            utime = std::stoul(field);
        if (i == 15) {
            stime = std::stoul(field);
            break;
        }
    }
    return double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

void watch(int index, uint32_t events)
{
    epoll_event event{};
    event.events = events;
    event.data.u32 = uint32_t(index);
    epoll_ctl(g_epoll, EPOLL_CTL_MOD, g_connections[size_t(index)].fd, &event);
}

void closeConnection(int index, bool counts)
{
    Connection &c = g_connections[size_t(index)];
    if (c.phase == Connection::Phase::Closed)
        return;
    if (c.phase == Connection::Phase::Connecting)
        --g_connecting;
    if (counts && c.kind != Connection::Kind::Publisher)
        ++g_disconnects;
    c.phase = Connection::Phase::Closed;
    epoll_ctl(g_epoll, EPOLL_CTL_DEL, c.fd, nullptr);
    ::close(c.fd);
}

void flush(int index)
{
    Connection &c = g_connections[size_t(index)];
    if (c.phase == Connection::Phase::Connecting || c.phase == Connection::Phase::Closed)
        return;
    while (c.outOffset < c.out.size()) {
        const ssize_t n =
            ::send(c.fd, c.out.data() + c.outOffset, c.out.size() - c.outOffset, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN) {
                watch(index, EPOLLIN | EPOLLOUT);
                return;
            }
            closeConnection(index, true);
            return;
        }
        c.outOffset += size_t(n);
    }
    c.out.clear();
    c.outOffset = 0;
    const bool paused = c.slow && c.counted;
    watch(index, paused ? 0u : uint32_t(EPOLLIN));
}

void send(int index, const std::string &data)
{
    g_connections[size_t(index)].out += data;
    flush(index);
}

int open(Connection::Kind kind, int subscriber, const Url &url, bool slow)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        ++g_errors;
        return -1;
    }
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (slow) {
        const int small = 4096;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    }
    // Spread over 127.0.0.x source addresses: 64k ephemeral ports each.
    const int sources =
        g_options.sources > 0 ? g_options.sources : 1 + g_options.subscribers / 20000;
    if (sources > 1 && subscriber >= 0) {
        sockaddr_in local{};
        local.sin_family = AF_INET;
        local.sin_addr.s_addr = htonl(0x7f000001u + uint32_t(subscriber % sources));
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (::bind(fd, reinterpret_cast<sockaddr *>(&local), sizeof local) != 0) {
            ::close(fd);
            ++g_errors;
            return -1;
        }
    }
    sockaddr_in remote{};
    remote.sin_family = AF_INET;
    remote.sin_port = htons(uint16_t(url.port));
    inet_pton(AF_INET, url.host.c_str(), &remote.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&remote), sizeof remote) != 0 &&
        errno != EINPROGRESS) {
        ::close(fd);
        ++g_errors;
        return -1;
    }
    Connection c;
    c.fd = fd;
    c.kind = kind;
    c.subscriber = subscriber;
    c.slow = slow;
    g_connections.push_back(std::move(c));
    const int index = int(g_connections.size() - 1);
    epoll_event event{};
    event.events = EPOLLOUT | EPOLLIN;
    event.data.u32 = uint32_t(index);
    epoll_ctl(g_epoll, EPOLL_CTL_ADD, fd, &event);
    ++g_connecting;
    return index;
}

std::string httpGet(const Url &url, const std::string &path, const std::string &extra = {})
{
    return "GET " + path + " HTTP/1.1\r\nHost: " + url.host + ":" + std::to_string(url.port) +
           "\r\n" + extra + "\r\n";
}

std::string httpPost(const Url &url, const std::string &path, const std::string &body,
                     const std::string &contentType, const std::string &extra = {})
{
    return "POST " + path + " HTTP/1.1\r\nHost: " + url.host + ":" + std::to_string(url.port) +
           "\r\nContent-Type: " + contentType +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra + "\r\n" + body;
}

std::string socketIoPath(const std::string &transport, const std::string &sid = {})
{
    std::string path = g_options.subscribe.path;
    if (path.empty() || path == "/")
        path = "/socket.io/";
    path += "?EIO=4&transport=" + transport;
    if (!sid.empty())
        path += "&sid=" + sid;
    if (!g_options.query.empty())
        path += "&" + g_options.query;
    return path;
}

std::string connectPacket()
{
    return g_options.nsp == "/" ? "40" : "40" + g_options.nsp + ",";
}

std::string wsFrame(const std::string &text)
{
    std::string frame;
    frame += char(0x81);
    const unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
    if (text.size() < 126) {
        frame += char(0x80 | text.size());
    } else {
        frame += char(0x80 | 126);
        frame += char((text.size() >> 8) & 0xff);
        frame += char(text.size() & 0xff);
    }
    frame.append(reinterpret_cast<const char *>(mask), 4);
    for (size_t i = 0; i < text.size(); ++i)
        frame += char(text[i] ^ mask[i % 4]);
    return frame;
}

void markConnected(int index)
{
    Connection &c = g_connections[size_t(index)];
    if (c.counted)
        return;
    c.counted = true;
    ++g_connected;
    if (c.slow)
        watch(index, 0); // from now on this subscriber never reads
}

// Every "sentAt":<µs> in `text` is one delivery.
void recordDeliveries(const char *data, size_t size)
{
    static const char needle[] = "\"sentAt\":";
    const char *p = data;
    const char *end = data + size;
    const int64_t now = nowMicros();
    while (p < end) {
        const void *hit = memmem(p, size_t(end - p), needle, sizeof needle - 1);
        if (!hit)
            break;
        p = static_cast<const char *>(hit) + sizeof needle - 1;
        const int64_t sent = std::strtoll(p, nullptr, 10);
        g_latency.add(now - sent);
        ++g_deliveries;
    }
}

// An HTTP response head at the start of `in`: status, and the framing of its body.
bool parseHead(Connection &c, int *status)
{
    const size_t end = c.in.find("\r\n\r\n");
    if (end == std::string::npos)
        return false;
    std::string head = c.in.substr(0, end);
    for (char &ch : head)
        ch = char(std::tolower(static_cast<unsigned char>(ch)));
    *status = std::atoi(head.c_str() + 9);
    c.chunked = head.find("transfer-encoding: chunked") != std::string::npos;
    const size_t length = head.find("content-length:");
    c.contentLength = length == std::string::npos ? -1 : std::atoll(head.c_str() + length + 15);
    c.chunkLeft = -1;
    c.in.erase(0, end + 4);
    return true;
}

// Takes the decoded body bytes available so far out of a chunked stream.
std::string dechunk(Connection &c)
{
    std::string out;
    for (;;) {
        if (c.chunkLeft < 0) {
            const size_t line = c.in.find("\r\n");
            if (line == std::string::npos)
                return out;
            c.chunkLeft = std::strtoll(c.in.c_str(), nullptr, 16);
            c.in.erase(0, line + 2);
            if (c.chunkLeft == 0)
                return out;
        }
        const size_t take = std::min<size_t>(size_t(c.chunkLeft), c.in.size());
        out.append(c.in, 0, take);
        c.in.erase(0, take);
        c.chunkLeft -= int64_t(take);
        if (c.chunkLeft > 0)
            return out;
        if (c.in.size() < 2)
            return out; // the CRLF after the chunk comes later; a -2 state keeps it simple
        c.in.erase(0, 2);
        c.chunkLeft = -1;
    }
}

void processSse(int index)
{
    Connection &c = g_connections[size_t(index)];
    if (c.phase == Connection::Phase::Head) {
        int status = 0;
        if (!parseHead(c, &status))
            return;
        if (status != 200) {
            ++g_errors;
            closeConnection(index, false);
            return;
        }
        c.phase = Connection::Phase::Streaming;
        markConnected(index);
    }
    if (c.chunked) {
        c.events += dechunk(c);
    } else {
        c.events += c.in;
        c.in.clear();
    }
    // Only whole events (up to the last blank line): a read may end inside one.
    const size_t end = c.events.rfind("\n\n");
    if (end == std::string::npos)
        return;
    recordDeliveries(c.events.data(), end + 2);
    c.events.erase(0, end + 2);
}

void onEnginePacket(int index, const char *data, size_t size)
{
    if (size == 0)
        return;
    switch (data[0]) {
    case '0':
        send(index, wsFrame(connectPacket()));
        return;
    case '2':
        send(index, wsFrame("3"));
        return;
    case '4':
        if (size > 1 && data[1] == '0')
            markConnected(index);
        else if (size > 1 && data[1] == '4') {
            ++g_errors;
            closeConnection(index, false);
        } else if (size > 1 && data[1] == '2')
            recordDeliveries(data, size);
        return;
    default:
        return;
    }
}

void processWebSocket(int index)
{
    Connection &c = g_connections[size_t(index)];
    if (c.phase == Connection::Phase::Head) {
        int status = 0;
        if (!parseHead(c, &status))
            return;
        if (status != 101) {
            ++g_errors;
            closeConnection(index, false);
            return;
        }
        c.phase = Connection::Phase::Streaming;
    }
    size_t offset = 0;
    while (c.in.size() - offset >= 2) {
        const auto *p = reinterpret_cast<const unsigned char *>(c.in.data() + offset);
        const int opcode = p[0] & 0x0f;
        uint64_t length = p[1] & 0x7f;
        size_t header = 2;
        if (length == 126) {
            if (c.in.size() - offset < 4)
                break;
            length = (uint64_t(p[2]) << 8) | p[3];
            header = 4;
        } else if (length == 127) {
            if (c.in.size() - offset < 10)
                break;
            length = 0;
            for (int i = 0; i < 8; ++i)
                length = (length << 8) | p[2 + i];
            header = 10;
        }
        if (c.in.size() - offset < header + length)
            break;
        const char *payload = c.in.data() + offset + header;
        if (opcode == 1)
            onEnginePacket(index, payload, size_t(length));
        else if (opcode == 8) {
            closeConnection(index, true);
            return;
        }
        offset += header + size_t(length);
        if (c.phase == Connection::Phase::Closed)
            return;
    }
    c.in.erase(0, offset);
}

void pollPost(int client, const std::string &payload)
{
    PollingClient &poll = g_polls[size_t(client)];
    if (!poll.pendingPosts.empty())
        poll.pendingPosts += '\x1e';
    poll.pendingPosts += payload;
    if (poll.postBusy || poll.sid.empty())
        return;
    poll.postBusy = true;
    send(poll.post, httpPost(g_options.subscribe, socketIoPath("polling", poll.sid),
                             poll.pendingPosts, "text/plain;charset=UTF-8"));
    poll.pendingPosts.clear();
}

// Complete HTTP responses (Content-Length framed) at the start of c.in, one at a time.
bool nextResponse(Connection &c, int *status, std::string *body)
{
    if (c.phase == Connection::Phase::Head) {
        if (!parseHead(c, status))
            return false;
        c.phase = Connection::Phase::Streaming;
        c.status = *status; // kept until the body is complete
    }
    if (c.contentLength < 0 || int64_t(c.in.size()) < c.contentLength)
        return false;
    *status = c.status;
    body->assign(c.in, 0, size_t(c.contentLength));
    c.in.erase(0, size_t(c.contentLength));
    c.phase = Connection::Phase::Head;
    return true;
}

void processPolling(int index)
{
    Connection &c = g_connections[size_t(index)];
    const int client = c.subscriber;
    PollingClient &poll = g_polls[size_t(client)];
    int status = 0;
    std::string body;
    while (c.phase != Connection::Phase::Closed && nextResponse(c, &status, &body)) {
        if (status != 200) {
            ++g_errors;
            closeConnection(poll.get, true);
            closeConnection(poll.post, false);
            return;
        }
        if (c.kind == Connection::Kind::PollPost) {
            poll.postBusy = false;
            if (!poll.pendingPosts.empty())
                pollPost(client, std::string());
            continue;
        }
        size_t start = 0;
        while (start <= body.size()) {
            size_t end = body.find('\x1e', start);
            if (end == std::string::npos)
                end = body.size();
            const char *packet = body.data() + start;
            const size_t size = end - start;
            if (size > 0) {
                if (packet[0] == '0' && poll.sid.empty()) {
                    const size_t at = body.find("\"sid\":\"", start);
                    poll.sid = body.substr(at + 7, body.find('"', at + 7) - at - 7);
                    pollPost(client, connectPacket());
                } else if (packet[0] == '2') {
                    pollPost(client, "3");
                } else if (packet[0] == '4' && size > 1 && packet[1] == '0') {
                    markConnected(index);
                } else if (packet[0] == '4' && size > 1 && packet[1] == '2') {
                    recordDeliveries(packet, size);
                } else if (packet[0] == '1') {
                    closeConnection(poll.get, true);
                    closeConnection(poll.post, false);
                    return;
                }
            }
            start = end + 1;
        }
        if (!c.slow || !c.counted)
            send(index, httpGet(g_options.subscribe, socketIoPath("polling", poll.sid)));
    }
}

void processPublisher(int index)
{
    Connection &c = g_connections[size_t(index)];
    int status = 0;
    std::string body;
    while (nextResponse(c, &status, &body)) {
        --c.pending;
        if (status < 200 || status >= 300)
            ++g_publishErrors;
    }
}

void onReadable(int index)
{
    Connection &c = g_connections[size_t(index)];
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
        if (n > 0) {
            c.in.append(buffer, size_t(n));
            if (size_t(n) < sizeof buffer)
                break;
            continue;
        }
        if (n < 0 && errno == EAGAIN)
            break;
        closeConnection(index, true);
        return;
    }
    switch (c.kind) {
    case Connection::Kind::Sse:
        processSse(index);
        break;
    case Connection::Kind::SioWebSocket:
        processWebSocket(index);
        break;
    case Connection::Kind::PollGet:
    case Connection::Kind::PollPost:
        processPolling(index);
        break;
    case Connection::Kind::Publisher:
        processPublisher(index);
        break;
    }
}

void onWritable(int index)
{
    Connection &c = g_connections[size_t(index)];
    if (c.phase == Connection::Phase::Connecting) {
        int error = 0;
        socklen_t length = sizeof error;
        getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &length);
        --g_connecting;
        if (error != 0) {
            c.phase = Connection::Phase::Head;
            ++g_errors;
            closeConnection(index, false);
            return;
        }
        c.phase = Connection::Phase::Head;
    }
    flush(index);
}

void runLoop(int timeoutMs)
{
    epoll_event events[1024];
    const int n = epoll_wait(g_epoll, events, 1024, timeoutMs);
    for (int i = 0; i < n; ++i) {
        const int index = int(events[i].data.u32);
        if (g_connections[size_t(index)].phase == Connection::Phase::Closed)
            continue;
        if (events[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
            onWritable(index);
        if (g_connections[size_t(index)].phase != Connection::Phase::Closed &&
            (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
            onReadable(index);
    }
}

void startSubscriber(int subscriber)
{
    const bool slow = subscriber < g_options.slow;
    const Url &url = g_options.subscribe;
    if (g_options.transport == "sse") {
        const int index = open(Connection::Kind::Sse, subscriber, url, slow);
        if (index >= 0)
            g_connections[size_t(index)].out =
                httpGet(url, url.path, "Accept: text/event-stream\r\n");
    } else if (g_options.transport == "sio-ws") {
        const int index = open(Connection::Kind::SioWebSocket, subscriber, url, slow);
        if (index >= 0)
            g_connections[size_t(index)].out =
                httpGet(url, socketIoPath("websocket"),
                        "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                        "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n");
    } else {
        PollingClient poll;
        poll.get = open(Connection::Kind::PollGet, int(g_polls.size()), url, slow);
        poll.post = open(Connection::Kind::PollPost, int(g_polls.size()), url, false);
        if (poll.get < 0 || poll.post < 0)
            return;
        g_connections[size_t(poll.get)].out = httpGet(url, socketIoPath("polling"));
        g_polls.push_back(poll);
    }
}

std::string eventBody(int64_t sentAt)
{
    const std::string pad(size_t(std::max(0, g_options.eventBytes - 40)), 'x');
    const std::string payload =
        "{\"sentAt\":" + std::to_string(sentAt) + ",\"pad\":\"" + pad + "\"}";
    if (g_options.publishFormat == "nchan")
        return payload;
    return "{\"namespace\":\"status-service\",\"name\":\"health-check-started\","
           "\"timestamp\":\"2026-11-26T00:00:00.000Z\",\"tenantId\":\"demo\",\"payload\":" +
           payload + "}";
}

bool parseArguments(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : std::string(); };
        if (a == "--transport")
            g_options.transport = next();
        else if (a == "--subscribe-url") {
            if (!parseUrl(next(), &g_options.subscribe))
                return false;
        } else if (a == "--namespace")
            g_options.nsp = next();
        else if (a == "--query")
            g_options.query = next();
        else if (a == "--subscribers")
            g_options.subscribers = std::atoi(next().c_str());
        else if (a == "--sources")
            g_options.sources = std::atoi(next().c_str());
        else if (a == "--slow")
            g_options.slow = std::atoi(next().c_str());
        else if (a == "--publish-url") {
            g_options.hasPublish = parseUrl(next(), &g_options.publish);
        } else if (a == "--publish-format")
            g_options.publishFormat = next();
        else if (a == "--publish-header")
            g_options.publishHeaders.push_back(next());
        else if (a == "--event-bytes")
            g_options.eventBytes = std::atoi(next().c_str());
        else if (a == "--rate")
            g_options.rate = std::atof(next().c_str());
        else if (a == "--duration")
            g_options.duration = std::atof(next().c_str());
        else if (a == "--settle")
            g_options.settle = std::atof(next().c_str());
        else if (a == "--server-pid")
            g_options.serverPid = std::atol(next().c_str());
        else if (a == "--json")
            g_options.jsonFile = next();
        else {
            std::fprintf(stderr, "push-loadgen: unknown argument %s (see tests/bench/LOADGEN.md)\n",
                         a.c_str());
            return false;
        }
    }
    return g_options.transport == "sse" || g_options.transport == "sio-ws" ||
           g_options.transport == "sio-polling";
}

} // namespace

int main(int argc, char **argv)
{
    if (!parseArguments(argc, argv))
        return 2;
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    if (limit.rlim_cur < rlim_t(g_options.subscribers) * 2 + 64)
        std::fprintf(stderr, "push-loadgen: warning: only %lu file descriptors\n",
                     (unsigned long)limit.rlim_cur);

    g_epoll = epoll_create1(EPOLL_CLOEXEC);
    g_connections.reserve(size_t(g_options.subscribers) * 2 + 16);
    const long pid = g_options.serverPid;
    const long rssBefore = pid ? readProcField(pid, "VmRSS:") : -1;

    // Connect, at most 256 handshakes at a time so the server's accept queue keeps up.
    const double connectDeadline = monotonicSeconds() + 60 + g_options.subscribers / 500.0;
    int started = 0;
    while (monotonicSeconds() < connectDeadline) {
        while (started < g_options.subscribers && g_connecting < 256)
            startSubscriber(started++);
        runLoop(10);
        if (started == g_options.subscribers &&
            g_connected + g_errors >= uint64_t(g_options.subscribers))
            break;
    }
    const double settleUntil = monotonicSeconds() + g_options.settle;
    while (monotonicSeconds() < settleUntil)
        runLoop(10);
    const long rssIdle = pid ? readProcField(pid, "VmRSS:") : -1;
    const double cpuBefore = pid ? readCpuSeconds(pid) : 0;

    // Publish: `rate` events per second (0: one request in flight, as fast as accepted).
    std::vector<int> publishers;
    if (g_options.hasPublish && g_options.duration > 0) {
        std::string headers = "Connection: keep-alive\r\n";
        for (const std::string &h : g_options.publishHeaders)
            headers += h + "\r\n";
        for (int i = 0; i < 4; ++i) {
            const int index = open(Connection::Kind::Publisher, -1, g_options.publish, false);
            if (index >= 0) {
                publishers.push_back(index);
            }
        }
        const double start = monotonicSeconds();
        const double end = start + g_options.duration;
        double next = start;
        const double interval = g_options.rate > 0 ? 1.0 / g_options.rate : 0;
        size_t turn = 0;
        while (monotonicSeconds() < end) {
            const double now = monotonicSeconds();
            while (now >= next && monotonicSeconds() < end) {
                // A free publisher connection (at most 8 requests in flight on each).
                int chosen = -1;
                for (size_t k = 0; k < publishers.size(); ++k) {
                    const int candidate = publishers[(turn + k) % publishers.size()];
                    Connection &p = g_connections[size_t(candidate)];
                    const int limit = g_options.rate > 0 ? 8 : 1;
                    if (p.phase != Connection::Phase::Connecting &&
                        p.phase != Connection::Phase::Closed && p.pending < limit) {
                        chosen = candidate;
                        break;
                    }
                }
                if (chosen < 0)
                    break;
                ++turn;
                Connection &p = g_connections[size_t(chosen)];
                ++p.pending;
                send(chosen, httpPost(g_options.publish, g_options.publish.path,
                                      eventBody(nowMicros()), "application/json", headers));
                ++g_published;
                next = interval > 0 ? next + interval : monotonicSeconds();
                if (interval == 0)
                    break;
            }
            runLoop(interval > 0 ? std::max(0, int((next - monotonicSeconds()) * 1000)) : 1);
        }
        // Let the last deliveries arrive (bounded).
        const uint64_t healthy =
            g_connected - uint64_t(std::min<uint64_t>(g_connected, uint64_t(g_options.slow)));
        const uint64_t expected = g_published * healthy;
        const double drainUntil = monotonicSeconds() + 10;
        uint64_t last = g_deliveries;
        double lastProgress = monotonicSeconds();
        while (monotonicSeconds() < drainUntil && g_deliveries < expected) {
            runLoop(20);
            if (g_deliveries != last) {
                last = g_deliveries;
                lastProgress = monotonicSeconds();
            } else if (monotonicSeconds() - lastProgress > 3) {
                break;
            }
        }
    }
    const double cpuAfter = pid ? readCpuSeconds(pid) : 0;
    const long rssAfter = pid ? readProcField(pid, "VmRSS:") : -1;
    const long rssPeak = pid ? readProcField(pid, "VmHWM:") : -1;

    // Slow subscribers: did the server cut them off? Read what they were sent.
    uint64_t slowDisconnected = 0;
    for (size_t i = 0; i < g_connections.size(); ++i) {
        Connection &c = g_connections[i];
        if (!c.slow || c.phase == Connection::Phase::Closed)
            continue;
        char buffer[65536];
        for (int rounds = 0; rounds < 1000; ++rounds) {
            const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, MSG_DONTWAIT);
            if (n == 0 || (n < 0 && errno != EAGAIN)) {
                ++slowDisconnected;
                break;
            }
            if (n < 0)
                break;
        }
    }

    const double publishSeconds = g_options.duration;
    const uint64_t healthy =
        g_connected - std::min<uint64_t>(g_connected, uint64_t(g_options.slow));
    char json[2048];
    std::snprintf(
        json, sizeof json,
        "{\"transport\":\"%s\",\"subscribers\":%d,\"connected\":%llu,\"errors\":%llu,"
        "\"disconnects\":%llu,"
        "\"eventsPublished\":%llu,\"publishErrors\":%llu,\"publishRate\":%.1f,\"deliveries\":%llu,"
        "\"expectedDeliveries\":%llu,\"deliveriesPerSecond\":%.0f,"
        "\"latencyMs\":{\"p50\":%.2f,\"p99\":%.2f,\"max\":%.2f},\"serverCpuSeconds\":%.2f,"
        "\"serverRssKiB\":%ld,\"serverPeakRssKiB\":%ld,\"idleRssPerConnectionBytes\":%.0f,"
        "\"slowDisconnected\":%llu}",
        g_options.transport.c_str(), g_options.subscribers, (unsigned long long)g_connected,
        (unsigned long long)g_errors, (unsigned long long)g_disconnects,
        (unsigned long long)g_published, (unsigned long long)g_publishErrors,
        publishSeconds > 0 ? double(g_published) / publishSeconds : 0,
        (unsigned long long)g_deliveries, (unsigned long long)(g_published * healthy),
        publishSeconds > 0 ? double(g_deliveries) / publishSeconds : 0,
        g_latency.quantile(0.5) / 1000, g_latency.quantile(0.99) / 1000,
        double(g_latency.max()) / 1000, cpuAfter - cpuBefore, rssAfter, rssPeak,
        (pid && g_connected > 0) ? double(rssIdle - rssBefore) * 1024.0 / double(g_connected) : 0.0,
        (unsigned long long)slowDisconnected);
    std::printf("%s\n", json);
    if (!g_options.jsonFile.empty()) {
        std::ofstream out(g_options.jsonFile);
        out << json << "\n";
    }
    return 0;
}
