/*
 * The kit's page in the browser: draws the notebook's widgets and keeps them in step
 * with the page's kernel.
 *
 * Voilà's own front end is a JupyterLab application (about 5 MB of JavaScript in 90
 * files); on a two-core machine a cold browser spends about 1.5 s on it before the first
 * box can be typed in, whatever the page holds. The kit's pages need much less: the
 * ipywidgets controls, a widget manager and one kernel connection. This file is all of
 * that, so the page is usable in well under a second.
 *
 * What it does, in order:
 *  1. opens the websocket of the kernel the server started for this page (its id is in
 *     the page's "jupyter-config-data");
 *  2. asks the kernel for every widget's state at once (ipywidgets' control comm);
 *  3. draws each cell output that is a widget in place, and any other output as text;
 *  4. shows the page, and when it closes asks the server to shut the kernel down.
 *
 * If the kernel cannot be reached, the page says so in plain words (the template's
 * "lost touch" banner, through the "coproduction:lost" event).
 */

import * as base from "@jupyter-widgets/base";
import * as controls from "@jupyter-widgets/controls";
import { ManagerBase } from "@jupyter-widgets/base-manager";
import { KernelConnection } from "@jupyterlab/services/lib/kernel/default";
import { ServerConnection } from "@jupyterlab/services/lib/serverconnection";
import { Widget } from "@lumino/widgets";

import "@lumino/widgets/style/index.css";
import "@jupyter-widgets/base/css/index.css";
import "@jupyter-widgets/controls/css/widgets.css";

const WIDGET_VIEW = "application/vnd.jupyter.widget-view+json";
const MODULES = {
  "@jupyter-widgets/base": base,
  "@jupyter-widgets/controls": controls,
};

/** A widget manager that talks to one kernel: ipywidgets' ManagerBase with comms. */
class PageWidgets extends ManagerBase {
  constructor(kernel) {
    super();
    this.kernel = kernel;
    kernel.registerCommTarget(this.comm_target_name, (comm, message) =>
      this.handle_comm_open(new base.shims.services.Comm(comm), message),
    );
  }

  async loadClass(className, moduleName) {
    const found = MODULES[moduleName] && MODULES[moduleName][className];
    if (!found) {
      throw new Error(`This page cannot draw ${className} from ${moduleName}.`);
    }
    return found;
  }

  async _create_comm(targetName, modelId, data, metadata, buffers) {
    const comm = this.kernel.createComm(targetName, modelId);
    if (data || metadata) {
      comm.open(data, metadata, buffers);
    }
    return new base.shims.services.Comm(comm);
  }

  async _get_comm_info() {
    const reply = await this.kernel.requestCommInfo({ target_name: this.comm_target_name });
    return reply.content.status === "ok" ? reply.content.comms : {};
  }

  /** Every widget the kernel holds, fetched in one request. */
  restore() {
    return this._loadFromKernel();
  }
}

function pageConfig() {
  const element = document.getElementById("jupyter-config-data");
  return element ? JSON.parse(element.textContent) : {};
}

/** The outputs Voilà put in the page, each in a script tag of its own. */
function outputs() {
  return Array.from(
    document.querySelectorAll('script[type="application/vnd.voila.cell-output+json"]'),
  );
}

async function draw(manager, script) {
  const output = JSON.parse(script.textContent);
  const data = output.data || {};
  const place = document.createElement("div");
  place.className = "jp-OutputArea-output";
  script.replaceWith(place);
  if (data[WIDGET_VIEW]) {
    const model = await manager.get_model(data[WIDGET_VIEW].model_id);
    const view = await manager.create_view(model);
    Widget.attach(view.luminoWidget, place);
    return;
  }
  // Not a widget: the kit's notebooks show none, but nothing is dropped or run as markup.
  // (Printed text and errors are not here: the server writes them into the page.)
  const text = data["text/plain"] || "";
  if (text) {
    const pre = document.createElement("pre");
    pre.textContent = Array.isArray(text) ? text.join("") : text;
    place.appendChild(pre);
  }
}

/** The template's "lost touch with the workshop" banner, with the typing kept. */
function lost() {
  window.dispatchEvent(new CustomEvent("coproduction:lost"));
}

function show() {
  window.themeLoaded = true; // the theme's style sheets are plain links on this page
  if (typeof window.display_cells === "function") {
    window.display_cells();
  }
}

async function start() {
  const config = pageConfig();
  if (!config.kernelId) {
    show();
    return;
  }
  const serverSettings = ServerConnection.makeSettings({ baseUrl: config.baseUrl || "/" });
  const kernel = new KernelConnection({
    model: { id: config.kernelId, name: "python3" },
    serverSettings,
    handleComms: true,
  });
  window.addEventListener("beforeunload", () => {
    // Release the kernel at once; the server accepts this without a form token.
    navigator.sendBeacon(`${serverSettings.baseUrl}voila/api/shutdown/${kernel.id}`);
    kernel.dispose();
  });
  kernel.connectionStatusChanged.connect((_, status) => {
    if (status === "disconnected") {
      lost(); // the connection gave up for good
    }
  });
  const manager = new PageWidgets(kernel);
  try {
    await manager.restore();
    await Promise.all(outputs().map((script) => draw(manager, script)));
  } catch (error) {
    console.error("The page could not be drawn:", error && error.message);
    lost();
  }
  show();
}

start();
