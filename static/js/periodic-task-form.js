// The admin's periodic task form (django-celery-beat): below the crontab field's help, say
// in words when the chosen schedule runs. A static file, as the Content-Security-Policy
// allows no inline script; the words come from the page's "readable-crontabs" data.
(function () {
  "use strict";
  var data = document.getElementById("readable-crontabs");
  var select = document.getElementById("id_crontab");
  if (!data || !select) return;
  var readable = JSON.parse(data.textContent);
  var help = document.querySelector(".field-crontab .help");
  var original = help ? help.textContent : "";
  // The read-only translation field would repeat the same words.
  var translation = document.querySelector(".field-crontab_translation");
  if (translation) translation.style.display = "none";

  function explain() {
    if (!help) return;
    help.textContent = original;
    var words = readable[select.value];
    if (words) {
      help.appendChild(document.createElement("br"));
      help.appendChild(document.createTextNode("Translation: " + words));
    }
  }
  select.addEventListener("change", explain);
})();
