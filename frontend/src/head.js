// The page's own small scripts, run in its <head> before anything is drawn (the
// template loads the built static/head.js there). Each file says what it does.
import "./head/language.js";
import "./head/rejoin.js";
import "./head/view-choices.js";
import "./head/messages.js";
import "./head/tap-a-word.js";
import "./head/read-aloud.js";
import "./head/room-screen.js";
import "./head/names-and-states.js";
import "./head/connection.js";
