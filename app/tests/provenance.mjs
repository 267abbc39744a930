// Drives the provenance page in headless Chromium (playwright-core against the system's chromium).
// stdin: {"executablePath", "url", "file": {"name", "base64"}, "screenshot"}; stdout: what the page showed, as JSON.
import { chromium } from "playwright-core";

const input = JSON.parse(await new Response(process.stdin).text());
const browser = await chromium.launch({
  executablePath: input.executablePath,
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 900, height: 640 } });
  const pageErrors = [];
  page.on("pageerror", (err) => pageErrors.push(String(err)));
  const text = (id) => page.locator(`#${id}`).innerText();
  await page.goto(input.url);
  await page.waitForFunction(() => /^Chain /.test(document.getElementById("network")?.textContent ?? ""), null, { timeout: 30_000 });
  await page.setInputFiles("#file", {
    name: input.file.name, mimeType: "application/octet-stream", buffer: Buffer.from(input.file.base64, "base64"),
  });
  await page.waitForFunction(() => (document.getElementById("record")?.textContent ?? "–") !== "–", null, { timeout: 30_000 });
  const before = { hash: await text("hash"), record: await text("record") };
  await page.click("#register");
  await page.waitForFunction(() => /^Registered in block/.test(document.getElementById("status")?.textContent ?? "")
    || (document.getElementById("error")?.textContent ?? "") !== "", null, { timeout: 60_000 });
  await page.waitForFunction(() => /^registered by/.test(document.getElementById("record")?.textContent ?? ""), null, { timeout: 30_000 }).catch(() => {});
  const after = { status: await text("status"), error: await text("error"), record: await text("record"),
    network: await text("network"), buttonDisabled: await page.locator("#register").isDisabled() };
  if (input.screenshot) await page.screenshot({ path: input.screenshot, fullPage: true });
  process.stdout.write(JSON.stringify({ before, after, pageErrors }));
} finally {
  await browser.close();
}
