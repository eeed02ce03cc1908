// The training page: while a job runs, ask /api/train/{job} every 2 s and show its progress
// (the page's cookie is enough for a GET); when it ends, reload to show the final result.
(function () {
  "use strict";
  var section = document.getElementById("job");
  if (!section) return;
  var status = section.getAttribute("data-status");
  if (status !== "queued" && status !== "running") return;
  var job = section.getAttribute("data-job");
  var marks = { pending: "", running: "đang chạy…", done: "✓", failed: "✗" };
  var titles = { queued: "Đang chờ", running: "Đang chạy", done: "Xong", failed: "Thất bại",
                 rejected: "Không dùng (kém hơn)" };  // as STATUS_TITLES in staff/training.py

  function show(state) {
    document.getElementById("job-progress").value = state.progress || 0;
    document.getElementById("job-percent").textContent = (state.progress || 0) + "%";
    document.getElementById("job-detail").textContent = state.detail || "";
    document.getElementById("job-status").textContent = titles[state.status] || state.status;
    (state.steps || []).forEach(function (step) {
      var item = section.querySelector('li[data-step="' + step.name + '"]');
      if (!item) {  // a queued job has no steps yet: the runner lists them when it starts
        item = document.createElement("li");
        item.setAttribute("data-step", step.name);
        item.appendChild(document.createTextNode(step.title + " "));
        var mark = document.createElement("span");
        mark.className = "step-state";
        item.appendChild(mark);
        document.getElementById("job-steps").appendChild(item);
      }
      item.className = "step-" + step.state;
      item.querySelector(".step-state").textContent = marks[step.state] || "";
    });
  }

  function poll() {
    fetch("/api/train/" + encodeURIComponent(job), { credentials: "same-origin" })
      .then(function (reply) { return reply.ok ? reply.json() : null; })
      .then(function (state) {
        if (!state) { setTimeout(poll, 5000); return; }
        show(state);
        if (state.status === "queued" || state.status === "running") setTimeout(poll, 2000);
        else window.location.reload();
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
