// lifecycle.cc — ns-3's side of `make bench`'s cold comparison: the same
// exchange protosim's generated scenarios run (bench/bench_scale.c), as an
// ns-3 program, so one process run of each can be timed side by side.
//
//   lifecycle conc N    N client nodes, each with its own point-to-point
//                       link (1 Gb/s, 1 ms) to one server node; all connect
//                       at 1 ms
//   lifecycle seq N     one client node and one server node on one link;
//                       connection i starts at 1 + 10 i ms
//
// One lifecycle, as protosim's `http get` / `http serve`: the client
// connects to port 80 and sends an 88-byte request; the server reads it,
// sends a 148-byte reply and closes; the client reads the reply, sees the
// server's FIN and closes.  TCP is ns-3's own (TcpSocketBase, NewReno) with
// its defaults, except MSL = 30 s so that TIME_WAIT lasts 60 s as in
// protosim.  No IPv6 stack and no global routing: every client talks to the
// server's address on its own link, which the connected routes reach.
//
// Prints "lifecycles N" and exits 0 when every one completed (the client got
// the whole reply and the server's FIN), 1 otherwise, 2 on a usage error.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "ns3/config.h"
#include "ns3/double.h"
#include "ns3/inet-socket-address.h"
#include "ns3/internet-stack-helper.h"
#include "ns3/ipv4-address-helper.h"
#include "ns3/node-container.h"
#include "ns3/packet.h"
#include "ns3/point-to-point-helper.h"
#include "ns3/simulator.h"
#include "ns3/socket.h"
#include "ns3/string.h"
#include "ns3/tcp-socket-factory.h"

using namespace ns3;

namespace {

const uint32_t kRequest = 88;   // protosim's `http get 10.0.0.1` request
const uint32_t kReply = 148;    // and `http serve`'s default page
const uint16_t kPort = 80;

std::unordered_map<Socket *, uint32_t> g_got;  // bytes read, per socket
uint64_t g_served, g_replies, g_done, g_errors;

void ServerRecv(Ptr<Socket> s)
{
    Ptr<Packet> p;
    uint32_t &got = g_got[PeekPointer(s)];
    while ((p = s->Recv()))
        got += p->GetSize();
    if (got >= kRequest) {
        g_got.erase(PeekPointer(s));
        s->SetRecvCallback(MakeNullCallback<void, Ptr<Socket>>());
        s->Send(Create<Packet>(kReply));
        s->Close();                     // the server closes first
        g_served++;
    }
}

void ServerAccept(Ptr<Socket> s, const Address &)
{
    s->SetRecvCallback(MakeCallback(&ServerRecv));
}

void ClientConnected(Ptr<Socket> s)
{
    s->Send(Create<Packet>(kRequest));
}

void ClientFailed(Ptr<Socket>)
{
    g_errors++;
}

void ClientRecv(Ptr<Socket> s)
{
    Ptr<Packet> p;
    uint32_t &got = g_got[PeekPointer(s)];
    while ((p = s->Recv()))
        got += p->GetSize();
    if (got >= kReply) {
        got = 0;                        // counted once
        g_replies++;
    }
}

// The server's FIN: the reply has been read; close our side.
void ClientPeerClosed(Ptr<Socket> s)
{
    g_got.erase(PeekPointer(s));
    s->Close();
    g_done++;
}

void ClientError(Ptr<Socket>)
{
    g_errors++;
}

void StartClient(Ptr<Node> node, Ipv4Address server)
{
    Ptr<Socket> s = Socket::CreateSocket(node, TcpSocketFactory::GetTypeId());
    s->Bind();
    s->SetConnectCallback(MakeCallback(&ClientConnected), MakeCallback(&ClientFailed));
    s->SetRecvCallback(MakeCallback(&ClientRecv));
    s->SetCloseCallbacks(MakeCallback(&ClientPeerClosed), MakeCallback(&ClientError));
    s->Connect(InetSocketAddress(server, kPort));
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "conc") && strcmp(argv[1], "seq"))) {
        fprintf(stderr, "usage: %s conc|seq N\n", argv[0]);
        return 2;
    }
    bool conc = !strcmp(argv[1], "conc");
    char *end;
    unsigned long n = strtoul(argv[2], &end, 10);
    if (*end || n < 1 || n > 1000000) {
        fprintf(stderr, "%s: N must be 1 to 1000000\n", argv[0]);
        return 2;
    }

    Config::SetDefault("ns3::TcpSocketBase::MaxSegLifetime", DoubleValue(30.0));

    NodeContainer server, clients;
    server.Create(1);
    clients.Create(conc ? n : 1);

    InternetStackHelper stack;
    stack.SetIpv6StackInstall(false);
    stack.Install(server);
    stack.Install(clients);

    PointToPointHelper p2p;
    p2p.SetDeviceAttribute("DataRate", StringValue("1Gbps"));
    p2p.SetChannelAttribute("Delay", StringValue("1ms"));

    Ipv4AddressHelper addr("10.0.0.0", "255.255.255.252");
    std::vector<Ipv4Address> serverAddr;        // per client, on its link
    serverAddr.reserve(clients.GetN());
    for (uint32_t i = 0; i < clients.GetN(); i++) {
        NetDeviceContainer d = p2p.Install(server.Get(0), clients.Get(i));
        Ipv4InterfaceContainer ifs = addr.Assign(d);
        serverAddr.push_back(ifs.GetAddress(0));
        addr.NewNetwork();
    }

    Ptr<Socket> listener = Socket::CreateSocket(server.Get(0), TcpSocketFactory::GetTypeId());
    listener->Bind(InetSocketAddress(Ipv4Address::GetAny(), kPort));
    listener->Listen();
    listener->SetAcceptCallback(MakeNullCallback<bool, Ptr<Socket>, const Address &>(),
                                MakeCallback(&ServerAccept));

    for (unsigned long i = 0; i < n; i++) {
        uint32_t c = conc ? (uint32_t)i : 0;
        Time at = conc ? MilliSeconds(1) : MilliSeconds(1 + 10 * (int64_t)i);
        Simulator::Schedule(at, &StartClient, clients.Get(c), serverAddr[c]);
    }

    Simulator::Run();
    Simulator::Destroy();

    printf("lifecycles %llu of %lu (served %llu, replies %llu, errors %llu)\n",
           (unsigned long long)g_done, n, (unsigned long long)g_served,
           (unsigned long long)g_replies, (unsigned long long)g_errors);
    bool ok = g_done == n && g_served == n && g_replies == n && g_errors == 0;
    if (!ok)
        fprintf(stderr, "%s: only %llu of %lu lifecycles completed\n", argv[0],
                (unsigned long long)g_done, n);
    return ok ? 0 : 1;
}
