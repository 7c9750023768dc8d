using System.Text;
using StacklessInteractive.Networking;

namespace StacklessInteractive.Tests;

/// <summary>
/// TaskletHttpServer: an acceptor tasklet, a tasklet per connection and a handler tasklet reached over a channel.
/// The clients are plain .NET sockets and HttpClient on other threads (the outside world), or tasklets. Each fault
/// test also serves a well-behaved client meanwhile, and ends with the scheduler back to its baseline.
/// </summary>
public class NetworkingServerTests
{
    [Fact]
    public async Task HttpClient_GetsTheHandlersAnswers_ForGetPostAndHead()
    {
        using var h = new ServerHarness();
        using (var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{h.Port}/"), Timeout = ServerHarness.Limit })
        {
            Assert.Equal("GET /hello?x=1", await http.GetStringAsync("hello?x=1"));

            var post = await http.PostAsync("submit", new StringContent("a body"));
            Assert.Equal(200, (int)post.StatusCode);
            Assert.Equal("POST /submit a body", await post.Content.ReadAsStringAsync());

            using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "x"));
            Assert.Equal(200, (int)head.StatusCode);
            Assert.Equal("HEAD /x".Length, head.Content.Headers.ContentLength); // the length of the body not sent
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());

            // Expect: 100-continue: the server says Continue before the body comes.
            var expecting = new HttpRequestMessage(HttpMethod.Post, "later") { Content = new StringContent("sent after 100") };
            expecting.Headers.ExpectContinue = true;
            using var continued = await http.SendAsync(expecting);
            Assert.Equal("POST /later sent after 100", await continued.Content.ReadAsStringAsync());
        }
        h.WaitUntil(s => s.RequestsServed == 4, "4 responses counted"); // counted once the send completed, on the loop's thread
        h.StopAndAssertClean();
    }

    [Fact]
    public async Task ManyClients_EachWithSeveralKeepAliveRequests_AreAllServed()
    {
        using var h = new ServerHarness();
        const int clients = 100, requests = 3;
        async Task<int> OneClient(int c)
        {
            using var client = await TestClient.Connect(h.Port);
            for (var r = 0; r < requests; r++)
            {
                await client.Send(TestClient.Get($"/{c}/{r}"));
                var response = await client.ReadResponse();
                Assert.Equal(200, Http.Status(response));
                Assert.Equal($"GET /{c}/{r}", Http.Body(response));
                Assert.Equal("keep-alive", Http.Header(response, "Connection"));
            }
            return requests;
        }
        var answered = await Task.WhenAll(Enumerable.Range(0, clients).Select(OneClient)).WaitAsync(ServerHarness.Limit);
        Assert.Equal(clients * requests, answered.Sum());
        h.WaitUntil(s => s.RequestsServed == clients * requests, "every response counted");
        Assert.Equal(clients, h.Server.ConnectionsAccepted);
        Assert.True(h.Server.PeakConnections > 1, "the clients were served concurrently");
        h.StopAndAssertClean();
    }

    [Fact]
    public async Task PipelinedRequests_AreAnsweredInOrder_AndConnectionCloseEndsTheConnection()
    {
        using var h = new ServerHarness();
        using var client = await TestClient.Connect(h.Port);
        await client.Send(TestClient.Get("/first") + "POST /second HTTP/1.1\r\nHost: test\r\nContent-Length: 4\r\n\r\nbody"
            + TestClient.Get("/third", "Connection: close\r\n"));
        Assert.Equal("GET /first", Http.Body(await client.ReadResponse()));
        Assert.Equal("POST /second body", Http.Body(await client.ReadResponse()));
        var last = await client.ReadToEnd(); // the server closes after it
        Assert.Equal("GET /third", Http.Body(last));
        Assert.Equal("close", Http.Header(last, "Connection"));
        h.WaitUntil(s => s.ActiveConnections == 0, "the connection tasklet ended");
        h.StopAndAssertClean();
    }

    [Fact]
    public async Task Http10_ClosesAfterTheResponse_UnlessKeepAliveIsAsked()
    {
        using var h = new ServerHarness();
        var closed = await TestClient.Exchange(h.Port, "GET /old HTTP/1.0\r\n\r\n");
        Assert.Equal("GET /old", Http.Body(closed));
        using var client = await TestClient.Connect(h.Port);
        await client.Send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        Assert.Equal("keep-alive", Http.Header(await client.ReadResponse(), "Connection"));
        await client.Send("GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        Assert.Equal("GET /b", Http.Body(await client.ReadResponse()));
        h.StopAndAssertClean();
    }

    [Fact]
    public async Task ClientsDisconnectingMidRequest_LoseOnlyTheirConnection()
    {
        using var h = new ServerHarness();
        using (var partialHead = await TestClient.Connect(h.Port))
        using (var partialBody = await TestClient.Connect(h.Port))
        {
            await partialHead.Send("GET /never-finished HTTP/1.1\r\nHost: te");
            await partialBody.Send("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\nonly ten..");
            h.WaitUntil(s => s.ActiveConnections == 2, "both partial requests are being read");
            Assert.Equal("GET /meanwhile", Http.Body(await TestClient.Exchange(h.Port, TestClient.Get("/meanwhile", "Connection: close\r\n"))));
        } // both clients close here, in the middle of their requests
        h.WaitUntil(s => s.IncompleteRequests == 2 && s.ActiveConnections == 0, "both connection tasklets ended");
        Assert.Equal(1, h.Server.RequestsServed);
        Assert.Equal(0, h.Server.RequestsRefused);
        h.StopAndAssertClean();
    }

    [Fact]
    public async Task AClientDisconnectingMidResponse_LosesOnlyItsConnection()
    {
        var big = new byte[32 * 1024 * 1024]; // more than the kernel's buffers: the send is still going on
        using var h = new ServerHarness(r => r.Path == "/big" ? new HttpResponse(200, big) : ServerHarness.Echo(r));
        var quitter = await TestClient.Connect(h.Port);
        await quitter.Send(TestClient.Get("/big"));
        Assert.True(await quitter.ReadSome() > 0); // the response has begun
        quitter.Reset(); // gone in the middle of the response
        h.WaitUntil(s => s.ConnectionsAborted == 1 && s.ActiveConnections == 0, "the send failed and the connection tasklet ended");
        Assert.Equal("GET /after", Http.Body(await TestClient.Exchange(h.Port, TestClient.Get("/after", "Connection: close\r\n"))));
        h.WaitUntil(s => s.RequestsServed == 1 && s.ActiveConnections == 0, "the other client served");
        h.StopAndAssertClean();
    }

    [Fact]
    public async Task AClientThatDoesNotReadItsResponse_IsCutOffAfterTheSendTimeout()
    {
        var big = new byte[32 * 1024 * 1024];
        using var h = new ServerHarness(r => r.Path == "/big" ? new HttpResponse(200, big) : ServerHarness.Echo(r),
            new HttpServerOptions { SendTimeout = TimeSpan.FromMilliseconds(300) });
        using var sleeper = await TestClient.Connect(h.Port);
        await sleeper.Send(TestClient.Get("/big")); // and never reads: the kernel's buffers fill, the send waits
        Assert.Equal("GET /meanwhile", Http.Body(await TestClient.Exchange(h.Port, TestClient.Get("/meanwhile", "Connection: close\r\n"))));
        h.WaitUntil(s => s.ConnectionsAborted == 1 && s.ActiveConnections == 0, "the send timed out and the connection tasklet ended");
        Assert.Equal(1, h.Server.RequestsServed);
        h.StopAndAssertClean();
    }

    [Fact]
    public async Task AHandlerThatThrows_Gives500_AndTheHandlerTaskletCarriesOn()
    {
        using var h = new ServerHarness(r => r.Path switch
        {
            "/throw" => throw new TestError("the handler failed"),
            "/null" => null!,
            "/bad-header" => HttpResponse.Text("x").WithHeader("X-Split", "a\r\nInjected: yes"),
            _ => ServerHarness.Echo(r),
        });
        using var client = await TestClient.Connect(h.Port);
        foreach (var path in new[] { "/bad-header", "/null", "/throw" })
        {
            await client.Send(TestClient.Get(path));
            var failed = await client.ReadResponse();
            Assert.Equal(500, Http.Status(failed));
            Assert.Equal("Internal Server Error\n", Http.Body(failed));
        }
        await client.Send(TestClient.Get("/fine")); // the same connection, the same handler tasklet
        Assert.Equal("GET /fine", Http.Body(await client.ReadResponse()));
        Assert.Equal(3, h.Server.HandlerErrors);
        Assert.IsType<TestError>(h.Server.LastHandlerError);
        h.WaitUntil(s => s.RequestsServed == 4, "4 responses counted");
        h.StopAndAssertClean();
    }

    [Fact]
    public async Task ASlowClientTricklingBytes_Gets408_WhileOthersAreServed()
    {
        using var h = new ServerHarness(options: new HttpServerOptions { RequestTimeout = TimeSpan.FromMilliseconds(300) });
        using var slow = await TestClient.Connect(h.Port);
        var response = slow.ReadToEnd();
        await slow.Send("GET /slow HTTP/1.1\r\nHost: test\r\nX-Slow: ");
        var sent = 0;
        for (; sent < 100 && !slow.Received && !response.IsCompleted; sent++) // a byte every 30 ms: never a whole request
        {
            await slow.Send("x");
            if (sent == 3) Assert.Equal("GET /fast", Http.Body(await TestClient.Exchange(h.Port, TestClient.Get("/fast", "Connection: close\r\n"))));
            await Task.Delay(30);
        }
        var text = await response.WaitAsync(ServerHarness.Limit);
        Assert.Equal(408, Http.Status(text));
        Assert.Equal("close", Http.Header(text, "Connection"));
        Assert.True(sent < 100, "the server cut the slow client off");
        h.WaitUntil(s => s.ActiveConnections == 0, "the slow client's connection tasklet ended");
        Assert.Equal(1, h.Server.RequestsRefused);
        Assert.Equal(1, h.Server.RequestsServed);
        h.StopAndAssertClean();
    }

    [Theory]
    [InlineData("GARBAGE\r\n\r\n", 400)]
    [InlineData("GET /\r\nHost: test\r\n\r\n", 400)]                                           // no version
    [InlineData("GET  / HTTP/1.1\r\nHost: test\r\n\r\n", 400)]                                 // two spaces
    [InlineData("G(T / HTTP/1.1\r\nHost: test\r\n\r\n", 400)]                                  // not a method
    [InlineData("GET / HTTP/1.1\nHost: test\r\n\r\n", 400)]                                    // a bare LF
    [InlineData("GET / HTTP/1.1\r\nHost: test\r\nNo colon here\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost : test\r\n\r\n", 400)]                                 // space before the colon
    [InlineData("GET / HTTP/1.1\r\nHost: test\r\nX-A: 1\r\n folded\r\n\r\n", 400)]            // obsolete folding
    [InlineData("GET / HTTP/1.1\r\n\r\n", 400)]                                                // HTTP/1.1 without Host
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: test\r\nContent-Length: ten\r\n\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: test\r\nContent-Length: -1\r\n\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n", 501)]
    [InlineData("GET / HTTP/2.0\r\nHost: test\r\n\r\n", 505)]
    public async Task AMalformedRequest_IsRefused_AndTheNextClientIsServed(string request, int status)
    {
        using var h = new ServerHarness();
        var refused = await TestClient.Exchange(h.Port, request); // read to the end: the server closes
        Assert.Equal(status, Http.Status(refused));
        Assert.Equal("close", Http.Header(refused, "Connection"));
        Assert.Equal("GET /next", Http.Body(await TestClient.Exchange(h.Port, TestClient.Get("/next", "Connection: close\r\n"))));
        h.WaitUntil(s => s.ActiveConnections == 0, "both connection tasklets ended");
        Assert.Equal(1, h.Server.RequestsRefused);
        Assert.Equal(1, h.Server.RequestsServed);
        h.StopAndAssertClean();
    }

    [Fact]
    public async Task OversizedHeadsAndBodies_Get413_EvenWhileTheClientIsStillSending()
    {
        using var h = new ServerHarness(options: new HttpServerOptions { MaxHeaderBytes = 1024, MaxBodyBytes = 1000 });
        var longHead = await TestClient.Exchange(h.Port, TestClient.Get("/", "X-Long: " + new string('a', 2000) + "\r\n"));
        Assert.Equal(413, Http.Status(longHead));
        // The body is sent in full although the server refuses it: it must still read the 413, not a reset.
        var longBody = await TestClient.Exchange(h.Port, "POST /up HTTP/1.1\r\nHost: test\r\nContent-Length: 50000\r\n\r\n" + new string('b', 50000));
        Assert.Equal(413, Http.Status(longBody));
        var fits = await TestClient.Exchange(h.Port, "POST /up HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Length: 1000\r\n\r\n" + new string('c', 1000));
        Assert.Equal(200, Http.Status(fits));
        h.WaitUntil(s => s.ActiveConnections == 0, "every connection tasklet ended");
        Assert.Equal(2, h.Server.RequestsRefused);
        h.StopAndAssertClean();
    }

    [Fact]
    public async Task AnIdleConnection_IsClosedAfterTheIdleTimeout()
    {
        using var h = new ServerHarness(options: new HttpServerOptions { IdleTimeout = TimeSpan.FromMilliseconds(200) });
        using var idle = await TestClient.Connect(h.Port);
        Assert.Equal("", await idle.ReadToEnd()); // closed without a response
        h.WaitUntil(s => s.IdleTimeouts == 1 && s.ActiveConnections == 0, "the idle connection tasklet ended");
        h.StopAndAssertClean();
    }

    [Fact]
    public async Task Stop_EndsEveryConnectionTasklet_AndClosesItsSocket()
    {
        using var h = new ServerHarness();
        var clients = new List<TestClient>();
        try
        {
            for (var i = 0; i < 20; i++) clients.Add(await TestClient.Connect(h.Port)); // idle
            for (var i = 0; i < 3; i++)
            {
                var partial = await TestClient.Connect(h.Port); // in the middle of a request
                await partial.Send("POST /x HTTP/1.1\r\nHost: test\r\nContent-Length: 10\r\n\r\nab");
                clients.Add(partial);
            }
            h.WaitUntil(s => s.ActiveConnections == 23, "all 23 connection tasklets run");
            var ends = clients.Select(c => c.ReadToEnd()).ToArray();
            h.StopAndAssertClean();
            var texts = await Task.WhenAll(ends).WaitAsync(ServerHarness.Limit); // every socket was closed
            Assert.All(texts, t => Assert.Equal("", t));
            Assert.Equal(0, h.Server.RequestsServed);
            await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => TestClient.Connect(h.Port)); // the listener is closed
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
    }

    [Fact]
    public void TaskletClients_InTheServersOwnScheduler_AreServed_AndRunReturnsAfterStop()
    {
        var s = new Scheduler();
        var server = new TaskletHttpServer(s, r => HttpResponse.Text("hi " + r.Path)).Start();
        var answers = new List<string>();
        async TaskletBody Client(int i)
        {
            using var socket = new TaskletSocket(s) { Timeout = ServerHarness.Limit };
            await socket.Connect(server.EndPoint);
            await socket.Send(Encoding.ASCII.GetBytes(TestClient.Get($"/{i}", "Connection: close\r\n")));
            var buffer = new byte[4096];
            var n = await socket.ReceiveExactly(buffer); // to the end of the stream
            answers.Add(Encoding.ASCII.GetString(buffer, 0, n));
            if (answers.Count == 10) _ = server.Stop(); // the last client stops the server: Run() then returns
        }
        for (var i = 0; i < 10; i++) s.Spawn(Client, i);
        ServerHarness.RunWithin(s);
        Assert.Equal(10, answers.Count);
        Assert.All(Enumerable.Range(0, 10), i => Assert.Contains(answers, a => Http.Status(a) == 200 && Http.Body(a) == $"hi /{i}"));
        Assert.True(server.Stopped.IsCompleted);
        Assert.Equal(0, s.AliveCount);
        Assert.Equal(0, s.WaitingIOCount);
    }

    [Fact]
    public void TheServer_ListensOn127001_OnThePortTheSystemChose()
    {
        using var h = new ServerHarness();
        Assert.Equal(System.Net.IPAddress.Loopback, h.Server.EndPoint.Address);
        Assert.NotEqual(0, h.Port);
        h.StopAndAssertClean();
    }
}
