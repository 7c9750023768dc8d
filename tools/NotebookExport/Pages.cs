using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static System.Net.WebUtility;

namespace StacklessInteractive.NotebookExport;

/// <summary>The HTML pages: one per executed notebook, and the index. Everything they need is inline except
/// plotly.min.js, which chart outputs load from the page's own folder (STACKLESS_PLOTLY_JS).</summary>
static class Pages
{
    const string Css = """
        :root { color-scheme: light dark; --fg: #1f2328; --bg: #ffffff; --muted: #656d76; --border: #d0d7de;
                --code-bg: #f6f8fa; --link: #0969da; --pass: #1a7f37; --fail: #cf222e; --fail-bg: #ffebe9;
                --warn-bg: #fff8c5; }
        @media (prefers-color-scheme: dark) {
          :root { --fg: #e6edf3; --bg: #0d1117; --muted: #8d96a0; --border: #30363d; --code-bg: #161b22;
                  --link: #4493f8; --pass: #3fb950; --fail: #f85149; --fail-bg: #2d1214; --warn-bg: #2e2a12; }
        }
        html { background: var(--bg); color: var(--fg); }
        body { font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
               max-width: 960px; margin: 0 auto; padding: 0 1.25rem 3rem; }
        a { color: var(--link); }
        pre, code { font: 13.5px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
        header.page { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: baseline; padding: .8rem 0;
                      border-bottom: 1px solid var(--border); margin-bottom: 1.5rem; color: var(--muted); font-size: .9rem; }
        .badge { font-weight: 700; padding: .05rem .5rem; border-radius: 1rem; color: #fff; font-size: .8rem; }
        .badge.pass { background: var(--pass); } .badge.fail { background: var(--fail); }
        .cell { margin: 1.25rem 0; }
        .cell.markdown img { max-width: 100%; }
        .cell.markdown table, .index table { border-collapse: collapse; }
        .cell.markdown th, .cell.markdown td, .index th, .index td { border: 1px solid var(--border); padding: .3rem .6rem; text-align: left; }
        .cell-head { display: flex; gap: .75rem; font-size: .78rem; color: var(--muted); margin-bottom: .2rem; }
        .cell-head a { color: inherit; text-decoration: none; }
        .cell-head .time { margin-left: auto; }
        pre.source { background: var(--code-bg); border: 1px solid var(--border); border-left: 3px solid var(--link);
                     border-radius: 6px; padding: .7rem .9rem; overflow-x: auto; margin: 0; }
        .cell.failed pre.source { border-left-color: var(--fail); }
        .outputs { margin: .4rem 0 0 .3rem; padding-left: .8rem; border-left: 3px solid var(--border); }
        .outputs > * { margin: .35rem 0; }
        .output.html { overflow-x: auto; }
        pre.output { white-space: pre-wrap; word-break: break-word; margin: .35rem 0; padding: .2rem 0; }
        pre.output.stderr { background: var(--warn-bg); padding: .4rem .6rem; border-radius: 4px; }
        .error { border: 2px solid var(--fail); background: var(--fail-bg); border-radius: 6px; padding: .5rem .8rem; }
        .error .error-title { color: var(--fail); font-weight: 700; }
        .error pre { white-space: pre-wrap; word-break: break-word; margin: .3rem 0 0; }
        .summary { border: 2px solid var(--fail); background: var(--fail-bg); border-radius: 6px; padding: .6rem 1rem; margin-bottom: 1.5rem; }
        .summary ul { margin: .3rem 0 0; padding-left: 1.2rem; } .summary p { margin: .4rem 0 0; }
        .index td.status, .index td > code { white-space: nowrap; } .index td.time { text-align: right; white-space: nowrap; }
        footer { margin-top: 3rem; color: var(--muted); font-size: .8rem; border-top: 1px solid var(--border); padding-top: .6rem; }
        """;

    public static string NotebookPage(Notebook notebook, NotebookResult result)
    {
        var html = new StringBuilder();
        Head(html, result.Title);
        html.Append("<header class=\"page\"><a href=\"index.html\">&larr; all notebooks</a>")
            .Append(Badge(result.Passed))
            .Append("<span>").Append(HtmlEncode(result.Source)).Append("</span>")
            .Append("<span>").Append(Seconds(result.Seconds)).Append("</span></header>\n<main>\n");
        if (!result.Passed)
        {
            html.Append("<div class=\"summary\" role=\"alert\"><strong>This notebook failed.</strong><ul>");
            if (result.Problem is not null) html.Append("<li>").Append(HtmlEncode(result.Problem)).Append("</li>");
            foreach (var f in result.Failures)
                html.Append("<li><a href=\"#cell-").Append(f.Cell).Append("\">cell ").Append(f.Cell).Append("</a> (<code>")
                    .Append(HtmlEncode(f.FirstLine)).Append("</code>): ").Append(HtmlEncode(Check.FirstLine(f.Error))).Append("</li>");
            html.Append("</ul>");
            if (!result.Executed)
                html.Append("<p>").Append(HtmlEncode(result.Host)).Append(" wrote no executed notebook: below is the source, without outputs.</p>");
            html.Append("</div>\n");
        }
        foreach (var cell in notebook.Cells) AppendCell(html, cell, result.Failures.FirstOrDefault(f => f.Cell == cell.Number));
        html.Append("</main>\n<footer>Executed headless by ").Append(HtmlEncode(result.Host));
        if (notebook.StartedAt is { } at)
            html.Append(" on ").Append(at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture));
        html.Append(" (<code>bash scripts/run-notebooks.sh</code>). Source: <code>").Append(HtmlEncode(result.Source))
            .Append("</code>.</footer>\n</body>\n</html>\n");
        return html.ToString();
    }

    public static string IndexPage(IReadOnlyList<NotebookResult> results)
    {
        var passed = results.Count(r => r.Passed);
        var html = new StringBuilder();
        Head(html, "StacklessInteractive notebooks");
        html.Append("<main class=\"index\">\n<h1>StacklessInteractive notebooks</h1>\n<p>")
            .Append(passed).Append(" passed, ").Append(results.Count - passed).Append(" failed")
            .Append(", executed headless by ").Append(HtmlEncode(string.Join(", ", results.Select(r => r.Host).DefaultIfEmpty("dotnet-repl").Distinct())))
            .Append(" (<code>bash scripts/run-notebooks.sh</code>).</p>\n")
            .Append("<table>\n<tr><th>status</th><th>notebook</th><th>file</th><th>time</th></tr>\n");
        foreach (var r in results)
        {
            html.Append("<tr><td class=\"status\">").Append(Badge(r.Passed)).Append("</td><td><a href=\"")
                .Append(HtmlEncode(Uri.EscapeDataString(r.Page))).Append("\">").Append(HtmlEncode(r.Title)).Append("</a>");
            if (!r.Passed)
            {
                var first = r.Failures.FirstOrDefault();
                html.Append("<br><small>");
                if (r.Problem is not null) html.Append(HtmlEncode(r.Problem));
                else if (first is not null)
                    html.Append("cell ").Append(first.Cell).Append(" (<code>").Append(HtmlEncode(first.FirstLine)).Append("</code>): ")
                        .Append(HtmlEncode(Check.FirstLine(first.Error)));
                html.Append("</small>");
            }
            html.Append("</td><td><code>").Append(HtmlEncode(r.Source)).Append("</code></td><td class=\"time\">")
                .Append(Seconds(r.Seconds)).Append("</td></tr>\n");
        }
        html.Append("</table>\n</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    static void Head(StringBuilder html, string title) =>
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
            .Append(HtmlEncode(title)).Append("</title>\n<style>\n").Append(Css).Append("\n</style>\n</head>\n<body>\n");

    static string Badge(bool passed) => passed ? "<span class=\"badge pass\">PASS</span>" : "<span class=\"badge fail\">FAIL</span>";

    static string Seconds(double s) => s.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    /// <param name="failure">Why the run failed at this cell, if it did: an error output, or something the check
    /// found that no output shows (a timeout, a load from the network), which is then shown under the cell.</param>
    static void AppendCell(StringBuilder html, Cell cell, CellFailure? failure)
    {
        var id = $"cell-{cell.Number}";
        switch (cell.Type)
        {
            case "markdown":
                html.Append("<section class=\"cell markdown\" id=\"").Append(id).Append("\">\n")
                    .Append(Markdig.Markdown.ToHtml(cell.Source, Notebook.Markdown)).Append("</section>\n");
                return;
            case "code":
                var failed = failure is not null || cell.Outputs.Any(o => Check.ErrorOf(o) is not null);
                html.Append("<section class=\"cell code").Append(failed ? " failed" : "").Append("\" id=\"").Append(id).Append("\">\n")
                    .Append("<div class=\"cell-head\"><a href=\"#").Append(id).Append("\">cell ").Append(cell.Number).Append("</a>")
                    .Append("<span class=\"lang\">").Append(HtmlEncode(cell.Language)).Append("</span>");
                if (cell.Seconds is { } s)
                    html.Append("<span class=\"time\">").Append(s.ToString("0.00", CultureInfo.InvariantCulture)).Append(" s</span>");
                html.Append("</div>\n<pre class=\"source\"><code class=\"language-").Append(HtmlEncode(cell.Language)).Append("\">")
                    .Append(HtmlEncode(cell.Source)).Append("</code></pre>\n");
                var unseen = failure is not null && cell.Outputs.All(o => Check.ErrorOf(o) != failure.Error);
                if (cell.Outputs.Count > 0 || unseen)
                {
                    html.Append("<div class=\"outputs\">\n");
                    foreach (var output in Tidy(cell.Outputs)) AppendOutput(html, cell, output);
                    if (unseen) AppendError(html, cell, failure!.Error, "");
                    html.Append("</div>\n");
                }
                html.Append("</section>\n");
                return;
            default: // raw
                html.Append("<section class=\"cell raw\" id=\"").Append(id).Append("\"><pre>").Append(HtmlEncode(cell.Source))
                    .Append("</pre></section>\n");
                return;
        }
    }

    /// <summary>
    /// Outputs as a reader should see them: consecutive stream outputs of one stream joined (as Jupyter does), and
    /// the frames of <c>#r "nuget:"</c>'s progress display (dotnet-repl keeps every update of it as an output of
    /// its own) reduced to the last one that shows something.
    /// </summary>
    static IEnumerable<JsonObject> Tidy(IReadOnlyList<JsonObject> outputs)
    {
        var list = new List<JsonObject>();
        foreach (var output in outputs)
        {
            var previous = list.Count > 0 ? list[^1] : null;
            if (previous is not null && (string?)output["output_type"] == "stream" && (string?)previous["output_type"] == "stream"
                && (string?)output["name"] == (string?)previous["name"])
            {
                list[^1] = new JsonObject
                {
                    ["output_type"] = "stream", ["name"] = (string?)output["name"],
                    ["text"] = Notebook.Text(previous["text"]) + Notebook.Text(output["text"]),
                };
                continue;
            }
            if (previous is not null && IsPackageProgress(output) && IsPackageProgress(previous))
            {
                if (!IsEmptyPackageProgress(output)) list[^1] = output;
                continue;
            }
            list.Add(output);
        }
        return list.Where(o => !IsEmptyPackageProgress(o));
    }

    static string? Html(JsonObject output) => output["data"]?["text/html"] is { } h ? Notebook.Text(h) : null;

    // The display #r "nuget:" updates: three divs (restore sources, installing, installed), some of them empty.
    static bool IsPackageProgress(JsonObject output) =>
        Html(output) is { } h && h.StartsWith("<div><div>", StringComparison.Ordinal)
        && (IsEmptyPackageProgressHtml(h) || h.Contains("<strong>Installing Packages</strong>", StringComparison.Ordinal)
            || h.Contains("<strong>Installed Packages</strong>", StringComparison.Ordinal));

    static bool IsEmptyPackageProgress(JsonObject output) => Html(output) is { } h && IsEmptyPackageProgressHtml(h);

    static bool IsEmptyPackageProgressHtml(string h) => h.Trim() == "<div><div></div><div></div><div></div></div>";

    static void AppendOutput(StringBuilder html, Cell cell, JsonObject output)
    {
        if (Check.ErrorOf(output) is { } error)
        {
            var traceback = string.Join("\n", (output["traceback"]?.AsArray() ?? []).Select(t => (string?)t ?? "")).Trim();
            AppendError(html, cell, error, error.Contains(traceback, StringComparison.Ordinal) ? "" : traceback);
            return;
        }
        switch ((string?)output["output_type"])
        {
            case "stream":
                var name = (string?)output["name"] == "stderr" ? "stderr" : "stdout";
                html.Append("<pre class=\"output stream ").Append(name).Append("\">").Append(HtmlEncode(Notebook.Text(output["text"])))
                    .Append("</pre>\n");
                return;
            case "display_data" or "execute_result" or "update_display_data":
                AppendData(html, output["data"] as JsonObject ?? []);
                return;
            default:
                html.Append("<pre class=\"output\">").Append(HtmlEncode(output.ToJsonString())).Append("</pre>\n");
                return;
        }
    }

    static void AppendError(StringBuilder html, Cell cell, string error, string traceback)
    {
        html.Append("<div class=\"output error\" role=\"alert\"><div class=\"error-title\">Error in cell ").Append(cell.Number)
            .Append("</div><pre>").Append(HtmlEncode(error));
        if (traceback.Length > 0) html.Append('\n').Append(HtmlEncode(traceback));
        html.Append("</pre></div>\n");
    }

    /// <summary>The richest representation we can show: HTML as it is (our views and charts, whose scripts must
    /// run), then images, then text.</summary>
    static void AppendData(StringBuilder html, JsonObject data)
    {
        if (data["text/html"] is { } h)
            html.Append("<div class=\"output html\">").Append(Notebook.Text(h)).Append("</div>\n");
        else if (data["image/svg+xml"] is { } svg)
            html.Append("<div class=\"output image\">").Append(Notebook.Text(svg)).Append("</div>\n");
        else if (data["image/png"] is { } png)
            html.Append("<div class=\"output image\"><img alt=\"\" src=\"data:image/png;base64,")
                .Append(Notebook.Text(png).Replace("\n", "")).Append("\"></div>\n");
        else if (data["text/markdown"] is { } md)
            html.Append("<div class=\"output markdown\">").Append(Markdig.Markdown.ToHtml(Notebook.Text(md), Notebook.Markdown)).Append("</div>\n");
        else if (data["text/plain"] is { } text)
            html.Append("<pre class=\"output text\">").Append(HtmlEncode(Notebook.Text(text))).Append("</pre>\n");
        else if (data["application/json"] is { } json)
            html.Append("<pre class=\"output json\">")
                .Append(HtmlEncode(json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }))).Append("</pre>\n");
        else if (data.Count > 0)
            html.Append("<pre class=\"output\">(").Append(HtmlEncode(string.Join(", ", data.Select(d => d.Key))))
                .Append(" output not shown)</pre>\n");
    }
}
