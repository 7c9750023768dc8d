using System.Text;
using System.Text.Json;
using Plotly.NET;

namespace StacklessInteractive.Views;

/// <summary>
/// Deterministic HTML for a Plotly.NET chart: a <c>div</c> with the caller's id and a script that draws the figure.
/// Plotly.NET's own HTML makes up a GUID per chart and loads require.js; this uses only what it is given.
/// </summary>
/// <remarks>
/// The script draws with <c>window.Plotly</c> when the page has it; otherwise it loads plotly.js from the given URL
/// once per page (one promise shared on <c>window</c>, so ten charts load it once) and then draws. Where require.js
/// is on the page (classic Jupyter), plotly.js is loaded through it, since it would otherwise register as an
/// anonymous module and never set <c>window.Plotly</c>. It works in a static page and in notebook outputs, whose
/// renderers run the scripts of HTML outputs. The text colour is taken from the page, so the axes read on light and
/// dark themes.
/// </remarks>
public static class ChartHtml
{
    /// <summary>plotly.js 2.28.0 (the version Plotly.NET 6.0.0 is made for) on Plotly's CDN.</summary>
    public const string CdnUrl = "https://cdn.plot.ly/plotly-2.28.0.min.js";

    /// <summary>The HTML of <paramref name="chart"/> drawn into a <c>div</c> with id <paramref name="elementId"/>.</summary>
    /// <param name="chart">The chart.</param>
    /// <param name="elementId">The id of the chart's element: unique in the page (a counter, not a random id, keeps outputs stable).</param>
    /// <param name="plotlyJsUrl">Where to load plotly.js from when the page does not have it, e.g. <see cref="CdnUrl"/> or a local file.</param>
    public static string Render(GenericChart chart, string elementId, string plotlyJsUrl)
    {
        ArgumentNullException.ThrowIfNull(chart);
        ArgumentException.ThrowIfNullOrWhiteSpace(elementId);
        ArgumentException.ThrowIfNullOrWhiteSpace(plotlyJsUrl);
        var figure = ScriptSafe(GenericChart.toFigureJson(chart));
        var sb = new StringBuilder(figure.Length + 2048);
        sb.Append("<div class=\"").Append(Html.Root).Append(" sl-chart-view\">");
        sb.Append("<div id=\"").Append(Html.Escape(elementId)).Append("\" class=\"sl-chart\" style=\"width:100%\"></div>");
        sb.Append("<script type=\"text/javascript\">\n(function () {\n");
        sb.Append("  var id = ").Append(ScriptSafe(JsonString(elementId))).Append(";\n");
        sb.Append("  var url = ").Append(ScriptSafe(JsonString(plotlyJsUrl))).Append(";\n");
        sb.Append("  var figure = ").Append(figure).Append(";\n");
        sb.Append(Script);
        sb.Append("})();\n</script></div>");
        return sb.ToString();
    }

    /// <summary>A JSON string literal, written without the serializer's reflection (off in file-based and AOT apps).</summary>
    private static string JsonString(string text) => "\"" + JsonEncodedText.Encode(text).ToString() + "\"";

    /// <summary>JSON made safe inside a script element: no "&lt;/script", no "&lt;!--".</summary>
    private static string ScriptSafe(string json) => json.Replace("<", "\\u003c").Replace(">", "\\u003e");

    private const string Script = """
          function draw(Plotly) {
            var el = document.getElementById(id);
            if (!el || !Plotly) return;
            var layout = figure.layout || (figure.layout = {});
            layout.font = Object.assign({ color: window.getComputedStyle(el).color }, layout.font || {});
            figure.config = Object.assign({ responsive: true, displaylogo: false }, figure.config || {});
            Plotly.newPlot(el, figure);
          }
          function fail(error) {
            var el = document.getElementById(id);
            if (el) el.textContent = "This chart needs plotly.js, which could not be loaded from " + url + " (" + (error && error.message || error) + ").";
          }
          if (window.Plotly) { draw(window.Plotly); return; }
          var key = "__stacklessInteractivePlotly";
          if (!window[key]) {
            window[key] = new Promise(function (resolve, reject) {
              if (typeof window.define === "function" && window.define.amd && typeof window.requirejs === "function") {
                var paths = {};
                paths["stackless-plotly"] = url.replace(/\.js$/, "");
                window.requirejs.config({ paths: paths });
                window.requirejs(["stackless-plotly"], function (plotly) { window.Plotly = window.Plotly || plotly; resolve(plotly); }, reject);
                return;
              }
              var script = document.createElement("script");
              script.src = url;
              script.onload = function () { resolve(window.Plotly); };
              script.onerror = function () { reject(new Error("network error")); };
              document.head.appendChild(script);
            });
            window[key].catch(function () { window[key] = null; });
          }
          window[key].then(draw, fail);

        """;
}
