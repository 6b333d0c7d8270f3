/* Plotly's Danish locale (months, days, decimal comma, thousands point, the toolbar's words).
   Served from the app's own assets (no CDN): Dash loads this file before Plotly, so it queues the
   locale in window.PlotlyLocales, which Plotly registers when it loads; dcc.Graph then uses it
   with config={"locale": "da"}. */
(function () {
  var locale = {
    moduleType: "locale", name: "da",
    dictionary: {
      "Autoscale": "Autoskalér", "Box Select": "Vælg med kasse", "Lasso Select": "Vælg med lasso",
      "Compare data on hover": "Sammenlign data ved hover", "Show closest data on hover": "Vis nærmeste data ved hover",
      "Double-click on legend to isolate one trace": "Dobbeltklik på forklaringen for at vise én serie",
      "Double-click to zoom back out": "Dobbeltklik for at zoome ud igen",
      "Download plot as a png": "Hent figuren som png", "Download plot as a PNG": "Hent figuren som png",
      "Download plot as JSON": "Hent figuren som JSON", "Download plot": "Hent figuren",
      "Pan": "Panorér", "Produced with Plotly": "Lavet med Plotly", "Produced with Plotly.js": "Lavet med Plotly.js",
      "Reset": "Nulstil", "Reset axes": "Nulstil akser", "Reset view": "Nulstil visning",
      "Toggle Spike Lines": "Hjælpelinjer til/fra", "Toggle show closest data on hover": "Nærmeste data ved hover til/fra",
      "Zoom": "Zoom", "Zoom in": "Zoom ind", "Zoom out": "Zoom ud", "Snapshot succeeded": "Figuren er gemt",
      "Taking snapshot - this may take a few seconds": "Gemmer figuren – det kan tage et par sekunder",
      "Sorry, there was a problem downloading your snapshot!": "Beklager, figuren kunne ikke hentes.",
      "Click to enter Plot title": "Klik for at skrive en titel", "Click to enter X axis title": "Klik for at skrive x-aksens titel",
      "Click to enter Y axis title": "Klik for at skrive y-aksens titel", "Erase active shape": "Slet figur",
      "Reset views": "Nulstil visninger", "Share chart...": "Del figuren …",
      "trace": "serie", "new text": "ny tekst", "max": "maks.", "min": "min.", "median": "median", "mean": "middel",
      "q1": "1. kvartil", "q3": "3. kvartil", "lower fence": "nedre grænse", "upper fence": "øvre grænse"
    },
    format: {
      days: ["søndag", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag"],
      shortDays: ["søn", "man", "tir", "ons", "tor", "fre", "lør"],
      months: ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
               "november", "december"],
      shortMonths: ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
      date: "%d-%m-%Y", decimal: ",", thousands: ".", year: "%Y", month: "%b %Y", dayMonth: "%-d. %b",
      dayMonthYear: "%-d. %b %Y"
    }
  };
  if (typeof Plotly === "undefined") {
    window.PlotlyLocales = window.PlotlyLocales || [];
    window.PlotlyLocales.push(locale);
  } else {
    Plotly.register(locale);
  }
})();
