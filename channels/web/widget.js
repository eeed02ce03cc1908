/*
 * Website chat widget for the citizen-procedure assistant (Rasa REST channel, docs/CONTRACT.md).
 *
 * Embed with one tag, no build step:
 *   <script src="https://example.gov.vn/widget.js" data-rasa-url="https://bot.example.gov.vn"
 *           data-title="Trợ lý ảo Sở Tư pháp" defer></script>
 *
 * Everything lives in a shadow root so the site's CSS and the widget's CSS cannot affect each
 * other. Every text coming from the bot or the citizen is inserted with textContent / DOM
 * APIs, never as HTML; links are built with createElement and only http(s) hrefs are allowed.
 */
(function () {
  "use strict";

  if (window.__rasaChatWidgetLoaded) return;
  window.__rasaChatWidgetLoaded = true;

  var script =
    document.currentScript ||
    document.querySelector("script[data-rasa-url][src*='widget']") ||
    document.querySelector("script[data-rasa-url]");
  var data = (script && script.dataset) || {};

  // ---------------------------------------------------------------- configuration

  var STRINGS = {
    launcher: "Hỏi đáp thủ tục",
    subtitle: "Hỏi đáp thủ tục hành chính",
    welcome:
      "Xin chào! Tôi là trợ lý ảo, giúp bạn tìm hiểu thủ tục hành chính: " +
      "hồ sơ cần chuẩn bị, nơi nộp, lệ phí, thời gian giải quyết.\n" +
      "Bạn hãy chọn một chủ đề bên dưới hoặc nhập câu hỏi.",
    inputLabel: "Nhập câu hỏi",
    inputPlaceholder: "Nhập câu hỏi của bạn…",
    inputHint: "Nhấn Enter để gửi, Shift + Enter để xuống dòng.",
    send: "Gửi",
    close: "Đóng cửa sổ trò chuyện",
    newConversation: "Cuộc trò chuyện mới",
    newConversationLong: "Bắt đầu cuộc trò chuyện mới (xoá lịch sử trên máy này)",
    you: "Bạn:",
    bot: "Trợ lý:",
    typing: "Trợ lý đang trả lời…",
    suggestions: "Gợi ý trả lời",
    retry: "Thử lại",
    networkError:
      "Không kết nối được với máy chủ trợ lý. Vui lòng kiểm tra kết nối mạng rồi bấm “Thử lại”.",
    timeoutError: "Máy chủ trợ lý không phản hồi kịp. Vui lòng bấm “Thử lại”.",
    httpError: "Máy chủ trợ lý đang gặp sự cố (mã lỗi {code}). Vui lòng thử lại sau ít phút.",
    configError: "Chưa cấu hình địa chỉ máy chủ trợ lý (thuộc tính data-rasa-url).",
    image: "Hình ảnh từ trợ lý",
    officer: "Cán bộ trả lời: ",
    newTab: "(mở trong thẻ mới)",
  };

  function cleanUrl(value) {
    value = (value || "").trim().replace(/\/+$/, "");
    return /^https?:\/\/[^\s]+$/i.test(value) ? value : "";
  }

  var config = {
    rasaUrl: cleanUrl(data.rasaUrl),
    title: (data.title || "Trợ lý ảo").trim(),
    subtitle: (data.subtitle || STRINGS.subtitle).trim(),
    launcherText: (data.launcherText || STRINGS.launcher).trim(),
    welcome: data.welcome || STRINGS.welcome,
    initialPayload: data.initialPayload === undefined ? "/help" : data.initialPayload.trim(),
    storageKey: data.storageKey || "rasa-chat-widget",
    timeoutMs: Math.max(5, parseFloat(data.timeout) || 30) * 1000,
    color: data.color && window.CSS && CSS.supports("color", data.color) ? data.color : "",
    maxMessages: 200,
    // Officers' replies to a conversation handed over to them (issue #11): the staff console's
    // public /citizen/replies/<sender> path, polled while the page is open. Off when unset.
    repliesUrl: cleanUrl(data.repliesUrl),
    repliesEveryMs: Math.max(1, parseFloat(data.repliesInterval) || 20) * 1000,
  };

  // ---------------------------------------------------------------- storage

  function makeStore(kind) {
    var memory = {};
    var backend = null;
    try {
      backend = window[kind];
      var probe = "__rasa_widget_probe__";
      backend.setItem(probe, "1");
      backend.removeItem(probe);
    } catch (e) {
      backend = null; // storage disabled (privacy mode): keep the conversation in memory
    }
    return {
      get: function (key) {
        try {
          return backend ? backend.getItem(key) : memory[key] || null;
        } catch (e) {
          return null;
        }
      },
      set: function (key, value) {
        try {
          if (backend) backend.setItem(key, value);
          else memory[key] = value;
        } catch (e) {
          memory[key] = value; // quota exceeded: keep going in memory
        }
      },
      remove: function (key) {
        try {
          if (backend) backend.removeItem(key);
        } catch (e) {}
        delete memory[key];
      },
    };
  }

  var local = makeStore("localStorage");
  var session = makeStore("sessionStorage");
  var STATE_KEY = config.storageKey + ":conversation";
  var OPEN_KEY = config.storageKey + ":open";

  function randomId() {
    if (window.crypto && crypto.randomUUID) {
      try {
        return crypto.randomUUID(); // only in secure contexts
      } catch (e) {}
    }
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2);
      })
      .join("");
  }

  function newState() {
    return { version: 1, sender: "web-" + randomId(), messages: [] };
  }

  function loadState() {
    try {
      var parsed = JSON.parse(local.get(STATE_KEY) || "null");
      if (parsed && typeof parsed.sender === "string" && Array.isArray(parsed.messages)) {
        parsed.messages = parsed.messages.filter(function (m) {
          return m && (m.from === "user" || m.from === "bot");
        });
        return parsed;
      }
    } catch (e) {}
    return null;
  }

  function saveState() {
    if (state.messages.length > config.maxMessages) {
      state.messages = state.messages.slice(-config.maxMessages);
    }
    local.set(STATE_KEY, JSON.stringify(state));
  }

  var state = loadState();
  if (!state) {
    state = newState();
    saveState();
  }

  // ---------------------------------------------------------------- text rendering (no HTML)

  var URL_PATTERN =
    /(?:https?:\/\/|www\.)[^\s<>"']+|(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:gov|edu|com|org|net)\.vn(?:\/[^\s<>"']*)?|(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+vn\b(?:\/[^\s<>"']*)?/gi;

  function trimUrlTail(candidate) {
    // Sentence punctuation after a URL is not part of it; keep ")" only when balanced.
    for (;;) {
      var last = candidate.charAt(candidate.length - 1);
      if (".,;:!?'\"]}".indexOf(last) >= 0) {
        candidate = candidate.slice(0, -1);
      } else if (last === ")") {
        var opens = candidate.split("(").length - 1;
        var closes = candidate.split(")").length - 1;
        if (closes > opens) candidate = candidate.slice(0, -1);
        else break;
      } else {
        break;
      }
    }
    return candidate;
  }

  function safeHref(candidate) {
    var withScheme = /^https?:\/\//i.test(candidate) ? candidate : "https://" + candidate;
    try {
      var url = new URL(withScheme);
      if (url.protocol === "http:" || url.protocol === "https:") return url.href;
    } catch (e) {}
    return null;
  }

  function appendLinkified(parent, text) {
    var position = 0;
    var match;
    URL_PATTERN.lastIndex = 0;
    while ((match = URL_PATTERN.exec(text)) !== null) {
      var start = match.index;
      var before = start > 0 ? text.charAt(start - 1) : "";
      var candidate = trimUrlTail(match[0]);
      // Not a link: part of an e-mail address or glued to a word.
      if (!candidate || /[@\w.\/-]/.test(before)) continue;
      var href = safeHref(candidate);
      if (!href) continue;
      if (start > position) parent.appendChild(document.createTextNode(text.slice(position, start)));
      var link = document.createElement("a");
      link.href = href;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      link.textContent = candidate;
      var hint = document.createElement("span");
      hint.className = "sr-only";
      hint.textContent = " " + STRINGS.newTab;
      link.appendChild(hint);
      parent.appendChild(link);
      position = start + candidate.length;
      URL_PATTERN.lastIndex = position;
    }
    if (position < text.length) parent.appendChild(document.createTextNode(text.slice(position)));
  }

  /* Plain text -> paragraphs, line breaks, bullet and numbered lists, clickable links. */
  function renderText(container, text) {
    var lines = String(text).replace(/\r\n?/g, "\n").split("\n");
    var paragraph = null;
    var list = null;
    var listType = "";
    lines.forEach(function (line) {
      var bullet = /^\s*[-•*–]\s+(.*)$/.exec(line);
      var numbered = bullet ? null : /^\s*(\d{1,3})[.)]\s+(.*)$/.exec(line);
      if (bullet || numbered) {
        paragraph = null;
        var type = bullet ? "ul" : "ol";
        if (!list || listType !== type) {
          list = document.createElement(type);
          listType = type;
          if (numbered && numbered[1] !== "1") list.start = parseInt(numbered[1], 10);
          container.appendChild(list);
        }
        var item = document.createElement("li");
        appendLinkified(item, bullet ? bullet[1] : numbered[2]);
        list.appendChild(item);
        return;
      }
      list = null;
      if (!line.trim()) {
        paragraph = null;
        return;
      }
      if (paragraph) paragraph.appendChild(document.createElement("br"));
      else {
        paragraph = document.createElement("p");
        container.appendChild(paragraph);
      }
      appendLinkified(paragraph, line);
    });
  }

  function formatTime(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) return "";
    var time = date.toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit" });
    var today = new Date();
    if (date.toDateString() === today.toDateString()) return time;
    return time + " " + date.toLocaleDateString("vi-VN", { day: "2-digit", month: "2-digit" });
  }

  // ---------------------------------------------------------------- DOM

  var CSS_TEXT = [
    ":host{all:initial;}",
    "*,*::before,*::after{box-sizing:border-box;}",
    "[hidden]{display:none!important;}",
    ".root{--primary:#0a4b8c;--primary-dark:#073866;--primary-soft:#e7eef7;--text:#1b1f24;",
    "--muted:#545b64;--bot-bg:#eef1f5;--border:#c9d1db;--error-bg:#fdecea;--error:#8a1c12;",
    "--focus:#ffbf47;font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,",
    "'Noto Sans',sans-serif;font-size:15px;line-height:1.45;color:var(--text);",
    "-webkit-font-smoothing:antialiased;text-align:left;direction:ltr;}",
    "button,textarea{font:inherit;color:inherit;letter-spacing:normal;text-transform:none;}",
    "button{cursor:pointer;}",
    ":focus-visible{outline:3px solid var(--focus);outline-offset:2px;box-shadow:0 0 0 5px #1b1f24;}",
    ".sr-only{position:absolute!important;width:1px;height:1px;padding:0;margin:-1px;",
    "overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0;}",
    // launcher
    ".launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;display:flex;",
    "align-items:center;gap:8px;min-height:52px;padding:12px 20px 12px 16px;border:0;",
    "border-radius:26px;background:var(--primary);color:#fff;font-size:16px;font-weight:600;",
    "box-shadow:0 6px 20px rgba(0,0,0,.25);}",
    ".launcher:hover{background:var(--primary-dark);}",
    ".launcher svg{width:24px;height:24px;flex:none;fill:currentColor;}",
    // panel
    ".panel{position:fixed;right:20px;bottom:88px;z-index:2147483001;display:flex;",
    "flex-direction:column;width:380px;max-width:calc(100vw - 40px);",
    "height:min(620px,calc(100vh - 110px));background:#fff;border-radius:14px;overflow:hidden;",
    "box-shadow:0 12px 40px rgba(0,0,0,.28);border:1px solid var(--border);}",
    ".header{display:flex;align-items:center;gap:8px;padding:12px 10px 12px 16px;",
    "background:var(--primary);color:#fff;flex:none;}",
    ".titles{flex:1;min-width:0;}",
    ".title{margin:0;font-size:16px;font-weight:700;line-height:1.3;color:#fff;}",
    ".subtitle{margin:0;font-size:13px;color:#fff;opacity:.92;}",
    ".icon-btn{display:inline-flex;align-items:center;justify-content:center;width:40px;",
    "height:40px;border:0;border-radius:8px;background:transparent;color:#fff;flex:none;}",
    ".icon-btn:hover{background:rgba(255,255,255,.16);}",
    ".icon-btn svg{width:22px;height:22px;fill:currentColor;}",
    // log
    ".log{position:relative;flex:1;overflow-y:auto;padding:14px 12px 8px;background:#fff;overscroll-behavior:contain;}",
    ".msg{display:flex;flex-direction:column;margin:0 0 12px;max-width:88%;}",
    ".msg-user{margin-left:auto;align-items:flex-end;}",
    ".msg-bot{margin-right:auto;align-items:flex-start;}",
    ".bubble{padding:9px 13px;border-radius:14px;overflow-wrap:anywhere;word-break:break-word;}",
    ".msg-user .bubble{background:var(--primary);color:#fff;border-bottom-right-radius:4px;",
    "white-space:pre-wrap;}",
    ".msg-bot .bubble{background:var(--bot-bg);color:var(--text);border-bottom-left-radius:4px;}",
    ".bubble p{margin:0 0 6px;}",
    ".bubble p:last-child,.bubble ul:last-child,.bubble ol:last-child{margin-bottom:0;}",
    ".bubble ul,.bubble ol{margin:2px 0 6px;padding-left:20px;}",
    ".bubble li{margin:2px 0;}",
    ".bubble a{color:var(--primary);text-decoration:underline;}",
    ".msg-user .bubble a{color:#fff;}",
    ".bubble img{display:block;max-width:100%;height:auto;border-radius:8px;}",
    ".time{margin-top:3px;padding:0 4px;font-size:12px;color:var(--muted);}",
    ".replies{display:flex;flex-wrap:wrap;gap:6px;margin:-4px 0 12px;}",
    ".reply{min-height:38px;padding:7px 13px;border:1px solid var(--primary);border-radius:19px;",
    "background:#fff;color:var(--primary);font-size:14px;font-weight:600;text-align:left;}",
    ".reply:hover{background:var(--primary-soft);}",
    ".typing{display:inline-flex;align-items:center;gap:4px;margin:0 0 12px;padding:12px 14px;",
    "border-radius:14px;border-bottom-left-radius:4px;background:var(--bot-bg);}",
    ".typing .dot{width:7px;height:7px;border-radius:50%;background:var(--muted);",
    "animation:blink 1.2s infinite ease-in-out;}",
    ".typing .dot:nth-child(2){animation-delay:.2s;}.typing .dot:nth-child(3){animation-delay:.4s;}",
    "@keyframes blink{0%,80%,100%{opacity:.25;}40%{opacity:1;}}",
    "@media (prefers-reduced-motion:reduce){.typing .dot{animation:none;opacity:.7;}}",
    // error
    ".error{display:flex;align-items:center;gap:10px;padding:10px 12px;background:var(--error-bg);",
    "color:var(--error);border-top:1px solid #f1b7b0;font-size:14px;flex:none;}",
    ".error-text{flex:1;margin:0;}",
    ".retry{flex:none;min-height:36px;padding:6px 14px;border:1px solid var(--error);",
    "border-radius:8px;background:#fff;color:var(--error);font-weight:700;}",
    // composer
    ".composer{display:flex;align-items:flex-end;gap:8px;padding:10px 10px 4px;",
    "border-top:1px solid var(--border);background:#fff;flex:none;}",
    ".input{flex:1;min-height:44px;max-height:120px;padding:10px 12px;resize:none;",
    "border:1px solid #8a939e;border-radius:10px;background:#fff;color:var(--text);font-size:16px;",
    "line-height:1.35;}",
    ".input::placeholder{color:#6b727b;opacity:1;}",
    ".input:focus-visible{outline:3px solid var(--primary);outline-offset:1px;box-shadow:none;}",
    ".send{display:inline-flex;align-items:center;justify-content:center;gap:6px;min-height:44px;",
    "padding:0 14px;border:0;border-radius:10px;background:var(--primary);color:#fff;font-weight:700;}",
    ".send:hover{background:var(--primary-dark);}",
    ".send svg{width:18px;height:18px;fill:currentColor;}",
    ".send[aria-disabled=true]{opacity:.6;cursor:progress;}",
    ".hint{margin:0;padding:0 12px 8px;font-size:12px;color:var(--muted);background:#fff;flex:none;}",
    // phone: full-screen panel
    "@media (max-width:600px){",
    ".panel{inset:0;right:0;bottom:0;width:100%;max-width:none;height:100%;height:100dvh;",
    "border-radius:0;border:0;}",
    ".root.is-open .launcher{display:none;}",
    ".launcher{right:14px;bottom:14px;}",
    ".msg{max-width:92%;}",
    "}",
  ].join("");

  var ICONS = {
    chat:
      "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6a1.5 " +
      "1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 " +
      "0 3 1.5 1.5 0 0 0 0-3z",
    close:
      "M18.3 5.71 12 12.01l-6.3-6.3-1.41 1.41 6.3 6.3-6.3 6.3 1.41 1.41 6.3-6.3 6.3 6.3 1.41-1.41" +
      "-6.3-6.3 6.3-6.3z",
    restart:
      "M12 5V2L8 6l4 4V7a5 5 0 1 1-5 5H5a7 7 0 1 0 7-7z",
    send: "M3 20.5 21 12 3 3.5v6.6L15 12 3 13.9z",
  };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function icon(name) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", ICONS[name]);
    svg.appendChild(path);
    return svg;
  }

  var host = el("div");
  host.id = "rasa-chat-widget";
  host.setAttribute("data-rasa-chat-widget", "");
  var shadow = host.attachShadow({ mode: "open" });

  // A constructed stylesheet is not blocked by a site's Content-Security-Policy (style-src);
  // older browsers get a <style> element.
  var styled = false;
  try {
    if (shadow.adoptedStyleSheets !== undefined && window.CSSStyleSheet) {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS_TEXT);
      shadow.adoptedStyleSheets = [sheet];
      styled = true;
    }
  } catch (e) {}
  if (!styled) {
    var style = el("style");
    style.textContent = CSS_TEXT;
    shadow.appendChild(style);
  }

  var root = el("div", "root");
  if (config.color) root.style.setProperty("--primary", config.color);
  shadow.appendChild(root);

  var uid = "rcw-" + randomId().slice(0, 8);

  var launcher = el("button", "launcher");
  launcher.type = "button";
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", uid + "-panel");
  launcher.appendChild(icon("chat"));
  launcher.appendChild(el("span", "", config.launcherText));

  var panel = el("section", "panel");
  panel.id = uid + "-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-modal", "false");
  panel.setAttribute("aria-labelledby", uid + "-title");

  var header = el("div", "header");
  var titles = el("div", "titles");
  var title = el("h2", "title", config.title);
  title.id = uid + "-title";
  titles.appendChild(title);
  if (config.subtitle) titles.appendChild(el("p", "subtitle", config.subtitle));
  var restartBtn = el("button", "icon-btn restart");
  restartBtn.type = "button";
  restartBtn.setAttribute("aria-label", STRINGS.newConversation);
  restartBtn.title = STRINGS.newConversationLong;
  restartBtn.appendChild(icon("restart"));
  var closeBtn = el("button", "icon-btn close");
  closeBtn.type = "button";
  closeBtn.setAttribute("aria-label", STRINGS.close);
  closeBtn.title = STRINGS.close;
  closeBtn.appendChild(icon("close"));
  header.appendChild(titles);
  header.appendChild(restartBtn);
  header.appendChild(closeBtn);

  var log = el("div", "log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-relevant", "additions");
  log.setAttribute("aria-label", "Nội dung trò chuyện");
  log.tabIndex = 0; // scrollable region reachable by keyboard

  var errorBox = el("div", "error");
  errorBox.setAttribute("role", "alert");
  errorBox.hidden = true;
  var errorText = el("p", "error-text");
  var retryBtn = el("button", "retry", STRINGS.retry);
  retryBtn.type = "button";
  errorBox.appendChild(errorText);
  errorBox.appendChild(retryBtn);

  var form = el("form", "composer");
  form.setAttribute("novalidate", "");
  var inputLabel = el("label", "sr-only", STRINGS.inputLabel);
  inputLabel.htmlFor = uid + "-input";
  var input = el("textarea", "input");
  input.id = uid + "-input";
  input.rows = 1;
  input.maxLength = 2000;
  input.placeholder = STRINGS.inputPlaceholder;
  input.setAttribute("aria-label", STRINGS.inputLabel);
  input.setAttribute("aria-describedby", uid + "-hint");
  input.setAttribute("autocomplete", "off");
  input.setAttribute("enterkeyhint", "send");
  var sendBtn = el("button", "send");
  sendBtn.type = "submit";
  sendBtn.appendChild(icon("send"));
  sendBtn.appendChild(el("span", "", STRINGS.send));
  form.appendChild(inputLabel);
  form.appendChild(input);
  form.appendChild(sendBtn);
  var hint = el("p", "hint", STRINGS.inputHint);
  hint.id = uid + "-hint";

  panel.appendChild(header);
  panel.appendChild(log);
  panel.appendChild(errorBox);
  panel.appendChild(form);
  panel.appendChild(hint);
  root.appendChild(panel);
  root.appendChild(launcher);

  // ---------------------------------------------------------------- rendering messages

  var typingNode = null;

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  function lastUserIndex() {
    for (var i = state.messages.length - 1; i >= 0; i--) {
      if (state.messages[i].from === "user") return i;
    }
    return -1;
  }

  function messageNode(message, withReplies) {
    var fragment = document.createDocumentFragment();
    var wrap = el("div", "msg msg-" + message.from);
    wrap.appendChild(el("span", "sr-only", message.from === "user" ? STRINGS.you : STRINGS.bot));
    if (message.text) {
      var bubble = el("div", "bubble");
      if (message.from === "user") bubble.textContent = message.text;
      else renderText(bubble, message.text);
      wrap.appendChild(bubble);
    }
    if (message.image) {
      var src = safeHref(message.image);
      if (src && /^https?:\/\//i.test(message.image)) {
        var imageBubble = el("div", "bubble");
        var img = el("img");
        img.src = src;
        img.alt = STRINGS.image;
        img.loading = "lazy";
        imageBubble.appendChild(img);
        wrap.appendChild(imageBubble);
      }
    }
    var time = el("time", "time", formatTime(message.ts));
    time.dateTime = message.ts;
    wrap.appendChild(time);
    fragment.appendChild(wrap);
    if (withReplies && message.buttons && message.buttons.length) {
      var group = el("div", "replies");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", STRINGS.suggestions);
      message.buttons.forEach(function (button) {
        var reply = el("button", "reply", button.title);
        reply.type = "button";
        reply.addEventListener("click", function () {
          // The buttons disappear once used: keep the keyboard focus in the widget.
          input.focus();
          send({ message: button.payload, display: button.title });
        });
        group.appendChild(reply);
      });
      fragment.appendChild(group);
    }
    return fragment;
  }

  function renderAll() {
    log.textContent = "";
    var cut = lastUserIndex();
    state.messages.forEach(function (message, index) {
      log.appendChild(messageNode(message, index > cut));
    });
    if (typingNode) log.appendChild(typingNode);
    scrollToEnd();
  }

  function removeReplies() {
    Array.prototype.forEach.call(log.querySelectorAll(".replies"), function (node) {
      node.remove();
    });
  }

  function appendMessage(message, persist) {
    if (persist !== false) {
      state.messages.push(message);
      saveState();
    }
    if (message.from === "user") removeReplies();
    var node = messageNode(message, message.from === "bot");
    var wrap = node.firstChild;
    if (typingNode && typingNode.parentNode) log.insertBefore(node, typingNode);
    else log.appendChild(node);
    scrollToEnd();
    return wrap;
  }

  /* A long answer: show its beginning (with the question just above), not its end. */
  function scrollToAnswer(first) {
    if (!first) return;
    var target = first.offsetTop - 48;
    if (target < log.scrollHeight - log.clientHeight) log.scrollTop = Math.max(0, target);
  }

  function showTyping(on) {
    if (on && !typingNode) {
      typingNode = el("div", "typing");
      typingNode.appendChild(el("span", "sr-only", STRINGS.typing));
      for (var i = 0; i < 3; i++) {
        var dot = el("span", "dot");
        dot.setAttribute("aria-hidden", "true");
        typingNode.appendChild(dot);
      }
      log.appendChild(typingNode);
      scrollToEnd();
    } else if (!on && typingNode) {
      typingNode.remove();
      typingNode = null;
    }
  }

  function now() {
    return new Date().toISOString();
  }

  // ---------------------------------------------------------------- talking to Rasa

  var busy = false;
  var generation = 0; // bumped by "new conversation": late answers of the old one are dropped
  var inFlight = null;
  var lastFailed = null;

  function setBusy(on) {
    busy = on;
    sendBtn.setAttribute("aria-disabled", on ? "true" : "false");
    showTyping(on);
  }

  function showError(text) {
    errorText.textContent = text;
    errorBox.hidden = false;
  }

  function hideError() {
    errorBox.hidden = true;
    errorText.textContent = "";
  }

  function toBotMessages(answer) {
    var out = [];
    (Array.isArray(answer) ? answer : []).forEach(function (item) {
      if (!item || typeof item !== "object") return;
      var buttons = Array.isArray(item.buttons)
        ? item.buttons
            .filter(function (b) {
              return b && (typeof b.title === "string" || typeof b.payload === "string");
            })
            .map(function (b) {
              var title = String(b.title || b.payload);
              return { title: title, payload: String(b.payload || title) };
            })
        : [];
      var text = typeof item.text === "string" ? item.text : "";
      var image = typeof item.image === "string" ? item.image : "";
      if (!text && !image && !buttons.length) return;
      out.push({ from: "bot", text: text, image: image, buttons: buttons, ts: now() });
    });
    return out;
  }

  /*
   * request = {message: what Rasa receives, display: user bubble text (null = silent),
   *            fromInput: the text came from the input box (restored there on failure)}
   */
  function send(request) {
    if (busy) return false;
    if (!config.rasaUrl) {
      showError(STRINGS.configError);
      return false;
    }
    hideError();
    var myGeneration = generation;
    var userMessage = null;
    if (request.display) {
      userMessage = { from: "user", text: request.display, ts: now() };
      appendMessage(userMessage, false); // persisted only once the server got it
    }
    setBusy(true);
    var controller = window.AbortController ? new AbortController() : null;
    var timedOut = false;
    var timer = setTimeout(function () {
      timedOut = true;
      if (controller) controller.abort();
    }, config.timeoutMs);
    inFlight = controller;

    fetch(config.rasaUrl + "/webhooks/rest/webhook", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: state.sender, message: request.message }),
      signal: controller ? controller.signal : undefined,
      credentials: "omit",
    })
      .then(function (response) {
        if (!response.ok) {
          var error = new Error("HTTP " + response.status);
          error.status = response.status;
          throw error;
        }
        return response.json();
      })
      .then(function (answer) {
        clearTimeout(timer);
        if (myGeneration !== generation) return;
        setBusy(false);
        lastFailed = null;
        if (userMessage) {
          state.messages.push(userMessage);
          saveState();
        }
        var first = null;
        toBotMessages(answer).forEach(function (message) {
          var node = appendMessage(message);
          first = first || node;
        });
        scrollToAnswer(first);
      })
      .catch(function (error) {
        clearTimeout(timer);
        if (myGeneration !== generation) return;
        setBusy(false);
        lastFailed = request;
        if (userMessage) {
          // Take the unsent bubble back out; the text goes back into the input box.
          renderAll();
        }
        if (request.fromInput && !input.value.trim()) {
          input.value = request.message;
          autosize();
        }
        if (error && error.status) showError(STRINGS.httpError.replace("{code}", error.status));
        else showError(timedOut ? STRINGS.timeoutError : STRINGS.networkError);
      });
    return true;
  }

  function retry() {
    var request = lastFailed;
    if (!request) return;
    if (request.fromInput) {
      var text = input.value.trim() || request.message;
      input.value = "";
      autosize();
      send({ message: text, display: text, fromInput: true });
    } else {
      send(request);
    }
    input.focus();
  }

  function submitInput() {
    var text = input.value.trim();
    if (!text || busy) return;
    if (send({ message: text, display: text, fromInput: true })) {
      input.value = "";
      autosize();
    }
  }

  function startConversation() {
    appendMessage({ from: "bot", text: config.welcome, buttons: [], ts: now() });
    if (config.initialPayload) send({ message: config.initialPayload, display: null });
  }

  function resetConversation() {
    generation += 1;
    if (inFlight) inFlight.abort();
    setBusy(false);
    hideError();
    lastFailed = null;
    state = newState();
    saveState();
    renderAll();
    startConversation();
    input.focus();
  }

  // ---------------------------------------------------------------- open / close

  function isOpen() {
    return !panel.hidden;
  }

  function open(focus) {
    panel.hidden = false;
    root.classList.add("is-open");
    launcher.setAttribute("aria-expanded", "true");
    session.set(OPEN_KEY, "1");
    scrollToEnd();
    if (!state.messages.length && !busy) startConversation();
    if (focus !== false) input.focus();
  }

  function close() {
    panel.hidden = true;
    root.classList.remove("is-open");
    launcher.setAttribute("aria-expanded", "false");
    session.remove(OPEN_KEY);
    launcher.focus();
  }

  function autosize() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, 120) + "px";
  }

  launcher.addEventListener("click", function () {
    if (isOpen()) close();
    else open();
  });
  closeBtn.addEventListener("click", close);
  restartBtn.addEventListener("click", resetConversation);
  retryBtn.addEventListener("click", retry);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    submitInput();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault(); // Enter sends; Shift+Enter is a new line; IME composition untouched
      submitInput();
    }
  });
  input.addEventListener("input", autosize);
  root.addEventListener("keydown", function (event) {
    if ((event.key === "Escape" || event.key === "Esc") && isOpen()) {
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  });

  // Another tab of the same site changed the conversation: show it here too.
  window.addEventListener("storage", function (event) {
    if (event.key !== STATE_KEY || busy) return;
    var fresh = loadState();
    if (!fresh) return;
    state = fresh;
    renderAll();
  });

  // ---------------------------------------------------------------- mount

  function mount() {
    document.body.appendChild(host);
    renderAll();
    if (!config.rasaUrl) {
      console.error("[chat widget] data-rasa-url is missing or not an http(s) URL");
    }
    if (session.get(OPEN_KEY) === "1") open(false);
  }

  // ---------------------------------------------------------------- officers' replies

  /* Ask the console for replies officers wrote to this conversation; each comes once and is
     shown as text (appendMessage never interprets HTML). Failures are silent: next round. */
  function pollReplies() {
    if (!config.repliesUrl || !window.fetch) return;
    fetch(config.repliesUrl + "/citizen/replies/" + encodeURIComponent(state.sender), {
      method: "GET",
      credentials: "omit",
    })
      .then(function (response) {
        return response.ok ? response.json() : { messages: [] };
      })
      .then(function (body) {
        (Array.isArray(body && body.messages) ? body.messages : []).forEach(function (m) {
          if (m && typeof m.text === "string" && m.text) {
            appendMessage({ from: "bot", text: STRINGS.officer + m.text, buttons: [], ts: now() });
          }
        });
      })
      .catch(function () {});
  }

  if (config.repliesUrl) {
    window.setTimeout(pollReplies, 500);
    window.setInterval(pollReplies, config.repliesEveryMs);
  }

  // A small API for site owners (e.g. a "Hỏi trợ lý" link elsewhere on the page).
  window.RasaChatWidget = {
    open: function () {
      open();
    },
    close: close,
    reset: resetConversation,
  };

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
