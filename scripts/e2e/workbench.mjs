// The browser-level check: what a user sees in the VS Code workbench (code-server in Chromium, driven by
// playwright-core). Opens a fresh copy of test-workspace/, waits for Crosswire's status bar item, opens
// the Problems panel, opens a finding, hovers its squiggle, runs "Crosswire: Audit workspace" from the
// command palette, and saves screenshots of each into test-results/.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Runs the checks; returns [{ name, ok, detail }]. Throws only when the workbench does not load. */
export async function checkWorkbench({ browser, base, workspace, results, log }) {
  const checks = [];
  const check = (name, ok, detail) => {
    checks.push({ name, ok: !!ok, detail });
    return !!ok;
  };
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const consoleLines = [];
  page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
  const shot = async (name) => {
    const path = join(results, name);
    await page.screenshot({ path });
    log(`screenshot test-results/${name}`);
  };
  try {
    await page.goto(`${base}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    log('workbench loaded');

    // Crosswire's status bar item: "Crosswire: N apps, M findings" once the first analysis is done.
    const status = page.locator('.statusbar-item', { hasText: /Crosswire: \d+ apps?, \d+ findings?/ });
    const statusOk = await status
      .first()
      .waitFor({ state: 'visible', timeout: 90_000 })
      .then(
        () => true,
        () => false,
      );
    const statusText = statusOk
      ? (await status.first().innerText()).trim()
      : (
          await page
            .locator('.statusbar')
            .innerText()
            .catch(() => '')
        ).replace(/\s+/g, ' ');
    check('the status bar shows Crosswire apps and findings', statusOk, statusText);
    // Without a running Crosswire, the later waits only confirm what is missing: keep them short.
    const wait = statusOk ? 30_000 : 5_000;

    // The Problems panel lists findings of files nobody opened.
    await page
      .locator('.monaco-workbench')
      .click({ position: { x: 700, y: 400 } })
      .catch(() => {});
    await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)', /Focus Problems/);
    const markers = page.locator('.markers-panel .monaco-list-row');
    const duplicateRow = markers.filter({ hasText: /NEXTAUTH_SECRET.* of electricity-tokens .*multi-business-multi-apps/ });
    const listed = await duplicateRow
      .first()
      .waitFor({ state: 'visible', timeout: wait })
      .then(
        () => true,
        () => false,
      );
    const rows = (await markers.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    check('the Problems panel lists the duplicate-secret finding of electricity-tokens', listed, listed ? undefined : rows.slice(0, 8).join(' | '));
    const badge = (
      await page
        .locator('.panel .badge-content')
        .first()
        .innerText()
        .catch(() => '')
    ).trim();
    const findings = /(\d+) findings?/.exec(statusText)?.[1];
    check(
      'the Problems count equals the findings Crosswire reports',
      findings !== undefined && badge === findings,
      `Problems badge ${badge || '?'}, status bar ${findings ?? '?'} findings`,
    );
    check(
      'rows show the source and rule id, e.g. crosswire(duplicate-secret)',
      ['duplicate-secret', 'port-collision'].every((id) => rows.some((t) => new RegExp(`crosswire\\W*${id}\\b`).test(t))),
      rows[1],
    );
    await shot('problems-panel.png');

    // Open the finding from the Problems panel; hover its squiggle: the message appears.
    if (listed) {
      await duplicateRow.first().click();
      const squiggle = page.locator('.monaco-editor .squiggly-error');
      const hasSquiggle = await squiggle
        .first()
        .waitFor({ state: 'attached', timeout: wait })
        .then(
          () => true,
          () => false,
        );
      const tab = (
        await page
          .locator('.tabs-container .tab.active')
          .innerText()
          .catch(() => '')
      ).trim();
      check('clicking the finding opens electricity-tokens/.env with an error squiggle', hasSquiggle && /^\.env\b/.test(tab), `active tab: ${tab}`);
      if (hasSquiggle) {
        const box = await squiggle.first().boundingBox();
        let hoverText = '';
        if (box) {
          const hover = page.locator('.monaco-hover:visible, .monaco-hover-content:visible');
          for (let attempt = 0; attempt < 3 && !hoverText; attempt++) {
            await page.mouse.move(box.x + 2, box.y - 30);
            await page.mouse.move(box.x + Math.min(box.width / 2, 40), box.y + box.height / 2, { steps: 5 });
            hoverText = await hover
              .first()
              .waitFor({ state: 'visible', timeout: 5_000 })
              .then(
                () => hover.first().innerText(),
                () => '',
              );
            // The hover renders its parts one after the other: read it again until the rule id is there (or 5 s pass).
            for (let i = 0; hoverText && !/duplicate-secret/.test(hoverText) && i < 25; i++) {
              await page.waitForTimeout(200);
              hoverText =
                (
                  await page
                    .locator('.monaco-hover:visible')
                    .allInnerTexts()
                    .catch(() => [])
                ).join('\n') || hoverText;
            }
          }
        }
        check(
          'hovering the squiggle shows the duplicate-secret message',
          /NEXTAUTH_SECRET.* of electricity-tokens .*multi-business-multi-apps/s.test(hoverText) && /duplicate-secret/.test(hoverText),
          hoverText.replace(/\s+/g, ' ').slice(0, 200) || 'no hover',
        );
        await page.waitForTimeout(800); // the hover fades in
        await shot('hover.png');
        await page.keyboard.press('Escape');
      }
    }

    // "Crosswire: Audit workspace" from the command palette opens the report.
    await runCommand(page, 'Crosswire: Audit workspace', /Crosswire: Audit workspace/);
    const reportFrame = await findFrame(page, /Crosswire audit/, /Apps/, wait);
    const reportText = reportFrame ? await reportFrame.locator('body').innerText() : '';
    check(
      'the audit report opens (markdown preview) and lists apps and findings',
      reportFrame && /electricity-tokens/.test(reportText) && /multi-business-multi-apps/.test(reportText) && /duplicate-secret/.test(reportText),
      reportFrame ? reportText.split('\n').filter(Boolean).slice(0, 3).join(' / ') : 'no preview with the report',
    );
    // Close the panel so the report has the room.
    await runCommand(page, 'View: Hide Panel', /Hide Panel/).catch(() => {});
    await page.mouse.move(900, 600); // no tooltip of the tab the palette left the mouse on
    await page.waitForTimeout(1_000);
    await shot('audit-report.png');
  } finally {
    writeFileSync(join(results, 'workbench-console.log'), consoleLines.join('\n') + '\n');
    await context.close().catch(() => {});
  }
  return checks;
}

/** Runs a command from the command palette (F1), choosing the entry whose label matches `label`. */
async function runCommand(page, text, label) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input[type="text"]');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${text}`);
  const item = page.locator('.quick-input-widget .monaco-list-row', { hasText: label });
  await item.first().waitFor({ state: 'visible', timeout: 10_000 });
  await item.first().click();
}

/** The (nested, cross-origin) webview frame whose body text matches both patterns. */
async function findFrame(page, a, b, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      const text = await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '');
      if (a.test(text) && b.test(text)) return frame;
    }
    await page.waitForTimeout(500);
  }
  return undefined;
}
