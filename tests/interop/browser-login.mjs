// A real browser for `oauthctl login --browser-command`: headless Chromium driven by
// Playwright through the provider's login and consent pages, typing the credentials and
// clicking approve, until oauthctl's loopback page says the sign-in arrived.
//   node browser-login.mjs USER PASSWORD URL      (oauthctl appends URL)
// Environment: CHROMIUM (default /usr/bin/chromium), OAUTHCTL_E2E_SCREENSHOT (where to save
// a screenshot of the consent page), OAUTHCTL_E2E_LOG (a file to append the steps to).
import { appendFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const [user, password, url] = process.argv.slice(2);
const log = (m) => { if (process.env.OAUTHCTL_E2E_LOG) appendFileSync(process.env.OAUTHCTL_E2E_LOG, `${m}\n`); };
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let code = 1;
try {
  const page = await browser.newPage();
  await page.goto(url);
  for (let step = 0; step < 10; step++) {
    await page.waitForLoadState('load');
    const text = await page.textContent('body');
    if (text.includes('You can close this tab')) { log('done: loopback page reached'); code = 0; break; }
    const pw = await page.$('input[type=password]');
    if (pw) {
      const name = (await page.$('input[name=username]')) ? 'input[name=username]' : 'input[name=login]';
      await page.fill(name, user);
      await page.fill('input[type=password]', password);
      log(`login page: typed credentials for ${user}`);
      await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
      continue;
    }
    const approve = (await page.$('button[value=approve]')) || (await page.$('button[autofocus]'))
      || (await page.$('button[type=submit]'));
    if (approve) {
      if (process.env.OAUTHCTL_E2E_SCREENSHOT) {
        await page.screenshot({ path: process.env.OAUTHCTL_E2E_SCREENSHOT, fullPage: true });
      }
      log(`consent page: clicking "${(await approve.textContent()).trim()}"`);
      await Promise.all([page.waitForNavigation(), approve.click()]);
      continue;
    }
    log(`stuck on a page without a form: ${text.slice(0, 200)}`);
    break;
  }
} catch (e) {
  log(`error: ${e.message}`);
} finally {
  await browser.close();
}
process.exit(code);
