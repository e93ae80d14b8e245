#pragma once

#include <cstdint>
#include <string>

// One TCP connection of the load generator and its protocol state.
struct Connection
{
    enum class Kind { Sse, SioWebSocket, PollGet, PollPost, Publisher };
    enum class Phase { Connecting, Head, Streaming, Closed };

    int fd = -1;
    Kind kind = Kind::Sse;
    Phase phase = Phase::Connecting;
    int subscriber = -1; // index of the subscriber it serves (-1: publisher)
    std::string in;
    std::string events; // SSE: decoded stream text not yet ending in a blank line
    std::string out;
    size_t outOffset = 0;
    bool slow = false;    // stops reading once subscribed
    bool counted = false; // counted as connected
    // HTTP response framing for polling/publisher requests and chunked SSE.
    bool chunked = false;
    int64_t chunkLeft = -1; // -1: expecting a chunk-size line
    int64_t contentLength = -1;
    int status = 0;  // of the response being read
    int pending = 0; // publisher: requests awaiting their answer
};

// Per socket.io-over-polling subscriber: its session and its two connections.
struct PollingClient
{
    std::string sid;
    int get = -1;             // connection index of the long-poll GET
    int post = -1;            // connection index for POSTs
    std::string pendingPosts; // payloads waiting for the POST connection
    bool postBusy = false;
};
