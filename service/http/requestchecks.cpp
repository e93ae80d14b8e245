// What HttpConnection refuses on a request's head, before any body: the HTTP version,
// CONNECT, Host, Expect (RFC 9110, RFC 9112).
#include "http/httpconnection.h"

#include <QTcpSocket>

#include <cctype>

namespace push::http {

// host[:port] as RFC 9110 allows it: a registered name or IPv4 address, or an IPv6
// literal in brackets, and an optional port.
bool isWellFormedHost(const QByteArray &host)
{
    if (host.isEmpty() || host.size() > 255)
        return false;
    qsizetype i = 0;
    if (host.startsWith('[')) {
        const qsizetype close = host.indexOf(']');
        if (close < 0)
            return false;
        for (qsizetype k = 1; k < close; ++k) {
            const char c = host.at(k);
            if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.')
                return false;
        }
        i = close + 1;
    } else {
        while (i < host.size() && host.at(i) != ':') {
            const char c = host.at(i);
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_')
                return false;
            ++i;
        }
        if (i == 0)
            return false;
    }
    if (i == host.size())
        return true;
    if (host.at(i) != ':' || host.size() - i - 1 > 5)
        return false;
    for (++i; i < host.size(); ++i) {
        if (!std::isdigit(static_cast<unsigned char>(host.at(i))))
            return false;
    }
    return true;
}

void HttpConnection::reject(ApiError error, const QByteArray &message)
{
    if (m_p->rejected)
        return;
    m_p->rejected = true;
    m_p->rejection = error;
    m_p->rejectionMessage = message;
    http_parser_pause(&m_p->parser, 1);
}

void HttpConnection::checkHead()
{
    const http_parser &parser = m_p->parser;
    if (parser.http_major != 1) {
        reject(ApiError::VersionNotSupported, "only HTTP/1.0 and HTTP/1.1 are served");
        return;
    }
    if (parser.method == HTTP_CONNECT) {
        reject(ApiError::MethodNotAllowed, "CONNECT is not supported");
        return;
    }
    if (m_p->hostHeaders > 1) {
        reject(ApiError::BadRequest, "more than one Host header");
        return;
    }
    if (m_p->hostHeaders == 0 && parser.http_minor >= 1) {
        reject(ApiError::BadRequest, "an HTTP/1.1 request needs a Host header");
        return;
    }
    const QByteArray expect = m_p->request.headers.value("expect").toLower();
    if (expect.isEmpty())
        return;
    if (expect != "100-continue") {
        reject(ApiError::ExpectationFailed, "only Expect: 100-continue is understood");
        return;
    }
    if (m_p->tooLarge) {
        // Refused before the client sends the body.
        reject(ApiError::PayloadTooLarge,
               "request body exceeds " + QByteArray::number(m_limits.maxBodyBytes) + " bytes");
        return;
    }
    const bool bodyFollows = (parser.flags & F_CHUNKED) ||
                             ((parser.flags & F_CONTENTLENGTH) && parser.content_length > 0);
    if (bodyFollows && parser.http_minor >= 1 && m_socket)
        m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
}

} // namespace push::http
