// viva review page: a click on a time seeks that question's recording, and
// the segment being played is highlighted. Reads only data-* attributes.
(function () {
  "use strict";
  function articleOf(element) {
    return element.closest("article");
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.t");
    if (!button) {
      return;
    }
    var audio = articleOf(button).querySelector("audio");
    if (!audio) {
      return;
    }
    audio.currentTime = parseFloat(button.dataset.t);
    var playing = audio.play();
    if (playing && playing.catch) {
      playing.catch(function () {});
    }
  });
  document.querySelectorAll("audio").forEach(function (audio) {
    audio.addEventListener("timeupdate", function () {
      var now = audio.currentTime;
      articleOf(audio).querySelectorAll(".seg").forEach(function (segment) {
        var time = segment.querySelector("button.t");
        var start = parseFloat(time.dataset.t);
        var end = parseFloat(time.dataset.end);
        segment.classList.toggle("now", now >= start && now < end);
      });
    });
  });
})();
