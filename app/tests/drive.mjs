// Drives the reference dApp in headless Chromium (playwright-core against the system's chromium) through a list of
// steps, for tests/frontend/test_frontend_browser.py. stdin: {"executablePath", "rpc", "steps": [...]}; stdout: JSON
// {"results": [one per step], "pageErrors": [...]}. Steps:
//   {"goto": url}                      load a page; waits until it is idle (body[data-idle="1"])
//   {"fill": "#id", "value": "..."}    type into an input
//   {"file": "#id", "name", "base64"}  choose a file; waits until #record shows a result
//   {"click": "#id"}                   click; waits until idle; result: the page's #status and #error
//   {"time": seconds}                  advance the local chain's clock and mine a block (evm_increaseTime, evm_mine)
//   {"text": "#id"} / {"attr": "#id", "name": "..."}   result: an element's text / attribute
//   {"screenshot": path}               full-page screenshot
import { chromium } from "playwright-core";

const input = JSON.parse(await new Response(process.stdin).text());
const rpc = async (method, params) => {
  const response = await fetch(input.rpc, { method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  const body = await response.json();
  if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
};
const browser = await chromium.launch({
  executablePath: input.executablePath,
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  const pageErrors = [];
  page.on("pageerror", (err) => pageErrors.push(String(err)));
  const idle = () => page.waitForFunction(() => document.body.dataset.idle === "1", null, { timeout: 60_000 });
  const text = (selector) => page.locator(selector).innerText();
  const results = [];
  for (const step of input.steps) {
    if (step.goto) {
      await page.goto("about:blank"); // URLs differing only in their fragment (#key=) would not reload the page
      await page.goto(step.goto);
      await idle();
      results.push(null);
    } else if (step.fill) {
      await page.fill(step.fill, step.value);
      results.push(null);
    } else if (step.file) {
      await page.evaluate(() => { document.getElementById("record").textContent = "–"; });
      await page.setInputFiles(step.file, { name: step.name, mimeType: "application/octet-stream",
        buffer: Buffer.from(step.base64, "base64") });
      await page.waitForFunction(() => (document.getElementById("record")?.textContent ?? "–") !== "–", null, { timeout: 30_000 });
      results.push(null);
    } else if (step.click) {
      await page.click(step.click);
      await idle();
      results.push({ status: await text("#status"), error: await text("#error") });
    } else if (step.time) {
      await rpc("evm_increaseTime", [step.time]);
      await rpc("evm_mine", []);
      results.push(null);
    } else if (step.text) {
      results.push(await text(step.text));
    } else if (step.attr) {
      results.push(await page.locator(step.attr).getAttribute(step.name));
    } else if (step.screenshot) {
      await page.screenshot({ path: step.screenshot, fullPage: true });
      results.push(null);
    } else {
      throw new Error(`unknown step ${JSON.stringify(step)}`);
    }
  }
  process.stdout.write(JSON.stringify({ results, pageErrors }));
} finally {
  await browser.close();
}
