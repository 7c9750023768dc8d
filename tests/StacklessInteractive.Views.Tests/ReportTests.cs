using AngleSharp.Dom;

namespace StacklessInteractive.Views.Tests;

/// <summary>Report: one self-contained HTML page of a scheduler, which opens offline.</summary>
public class ReportTests
{
    private static (Scheduler S, string Html, IDocument Doc) TalksDeadlock()
    {
        var (s, _, _, _, _) = Scenarios.Deadlock(trackChannels: true);
        var html = Report.Render(s, "The talk's deadlock");
        return (s, html, Scenarios.Parse(html));
    }

    [Fact]
    public void ThePage_HasEveryViewTheNotebookShows_InItsOwnSection()
    {
        var (_, _, doc) = TalksDeadlock();
        Assert.Equal("The talk's deadlock", doc.Title);
        Assert.Equal(["scheduler", "deadlock", "tasklets", "channels", "timeline", "charts"], doc.QuerySelectorAll("section").Select(s => s.Id));
        Assert.NotNull(doc.QuerySelector("#scheduler .sl-scheduler"));
        Assert.Equal("true", doc.QuerySelector("#deadlock .sl-deadlock-view")!.GetAttribute("data-deadlock"));
        Assert.NotNull(doc.QuerySelector("#deadlock [data-role=cycle]"));
        Assert.NotNull(doc.QuerySelector("#tasklets .sl-tasklets"));
        Assert.NotEmpty(doc.QuerySelectorAll("#channels .sl-channel-view, #channels [data-channel]"));
        Assert.NotEmpty(doc.QuerySelectorAll("#timeline svg g.lane"));
        Assert.Equal(["report-chart-timeline", "report-chart-steps"], doc.QuerySelectorAll("#charts .sl-chart").Select(c => c.Id));
        // Every link of the table of contents leads to a section.
        Assert.All(doc.QuerySelectorAll("nav a"), a => Assert.NotNull(doc.GetElementById(a.GetAttribute("href")![1..])));
    }

    [Fact]
    public void ThePage_LoadsNothingFromTheNetwork_AndCarriesPlotlyJs()
    {
        var (_, html, doc) = TalksDeadlock();
        var loads = doc.QuerySelectorAll("[src], link[href], [srcset], object[data], iframe, embed").ToList();
        Assert.Empty(loads); // scripts and styles are inline; nothing is fetched at all
        Assert.All(doc.QuerySelectorAll("a[href]"), a => Assert.StartsWith("#", a.GetAttribute("href")));
        Assert.DoesNotContain(ChartHtml.CdnUrl, html);
        var plotly = doc.Scripts.First();
        Assert.Contains("plotly.js " + PlotlyJs.Version, plotly.Text);
        Assert.True(plotly.Text.Length > 1_000_000, "plotly.js is inlined whole");
        Assert.InRange(plotly.Text.Length, PlotlyJs.Read().Length, PlotlyJs.Read().Length + 200); // all of it, with its header
        // Each chart's figure is in its script, drawn with the page's window.Plotly.
        Assert.Contains(doc.Scripts, s => s.Text.Contains("report-chart-timeline") && s.Text.Contains("window.Plotly"));
    }

    [Fact]
    public void ThePage_IsTheSameBytesForTheSameRun()
    {
        Assert.Equal(TalksDeadlock().Html, TalksDeadlock().Html);
    }

    [Fact]
    public void Write_WritesThePageToAFile()
    {
        var (s, html, _) = TalksDeadlock();
        var path = Path.Combine(Path.GetTempPath(), $"stackless-report-{Guid.NewGuid():N}.html");
        try
        {
            Report.Write(s, path, "The talk's deadlock");
            Assert.Equal(html, File.ReadAllText(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void WithoutATrace_ThePageSaysHowToGetOne_AndHasNoCharts()
    {
        var s = new Scheduler();
        s.Spawn(async () => { await s.Schedule(); });
        s.Run();
        var doc = Scenarios.Parse(Report.Render(s));
        Assert.Equal("StacklessInteractive report", doc.Title);
        Assert.Contains("no trace recorded", doc.QuerySelector("header")!.TextContent);
        Assert.Empty(doc.QuerySelectorAll(".sl-chart"));
        Assert.Contains("TrackChannels", doc.QuerySelector("#channels")!.TextContent);
    }
}
