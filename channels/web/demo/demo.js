// Demo of the widget's small page API: a button of the site that opens the assistant.
document.getElementById("ask-assistant").addEventListener("click", function () {
  if (window.RasaChatWidget) window.RasaChatWidget.open();
});
