// Loaded before the style sheet: the `js` class lets the CSS fold what funnel.js reveals.
document.documentElement.className = "js";
