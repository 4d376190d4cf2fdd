"""One logged-in browser on the platform's web console, driven through the target's recipe.

:class:`ConsoleSession` owns Playwright, a headless Chromium (Debian's ``chromium``; Playwright
downloads no browser) and one page. Every step of a recipe goes through :meth:`step`: it is
named (``login``, ``search``, ``playback``…), bounded by the recipe's ``step_timeout_s`` (the
Playwright timeouts and an outer ``asyncio.timeout``), and a step that fails raises
:class:`WebStepError` naming the recipe file, the step, the selector and what was missing, with
a screenshot of the page as it was. Screenshots go to ``screenshots/NN-step.png`` in the run
directory and are reported to the caller as :class:`~ccinspect.core.facts.ScreenshotFact`.

The page is shared: flows (recordings, tickets, screening) take :meth:`flow`'s lock so two of
them never drive it at once. Closing (also on cancellation) closes the browser within a bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urljoin, urlsplit

from ccinspect.core.facts import ScreenshotFact
from ccinspect.core.scenario.console import Console
from ccinspect.platform.errors import AdapterError

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext, Locator, Page, Playwright

__all__ = ["BROWSER_NAMES", "ConsoleSession", "WebStepError", "browser_path"]

log = logging.getLogger(__name__)

BROWSER_NAMES = ("chromium", "chromium-browser")
#: Launching the browser and closing it are bounded by this (seconds).
LAUNCH_TIMEOUT_S = 30.0
CLOSE_TIMEOUT_S = 10.0
#: The outer bound of a step is the recipe's step timeout plus this (Playwright's own timeouts
#: fire first; this catches anything that ignores them).
STEP_SLACK_S = 5.0

ShotSink = Callable[[ScreenshotFact], None]


class WebStepError(AdapterError):
    """A recipe step failed: the recipe file, the step, the selector, what happened, and the
    screenshot taken of the page (relative path in the run), if one could be taken."""

    def __init__(
        self,
        recipe: str,
        step: str,
        problem: str,
        problem_zh: str,
        *,
        selector: str | None = None,
        screenshot: str | None = None,
    ) -> None:
        where = f" (selector {selector!r})" if selector else ""
        where_zh = f"（选择器 {selector!r}）" if selector else ""
        shot = f"; screenshot {screenshot}" if screenshot else ""
        shot_zh = f"；截图 {screenshot}" if screenshot else ""
        super().__init__(
            f"{recipe}: web console step `{step}`: {problem}{where}{shot}",
            f"{recipe}：Web 控制台步骤 `{step}`：{problem_zh}{where_zh}{shot_zh}",
        )
        self.step = step
        self.selector = selector
        self.screenshot = screenshot


def browser_path(configured: str | None = None) -> str:
    """The Chromium executable: the recipe's ``browser`` or Debian's ``chromium`` on PATH."""
    for name in (configured,) if configured else BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    looked = configured or ", ".join(BROWSER_NAMES)
    raise AdapterError(
        f"no Chromium to drive the web console (looked for {looked}): install Debian's chromium "
        "(make install) or set console.browser in the target file",
        f"找不到用于操作 Web 控制台的 Chromium（查找 {looked}）：请安装 Debian 的 chromium（make install）"
        "或在目标文件中设置 console.browser",
    )


def _slug(text: str) -> str:
    out = "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")
    return "-".join(part for part in out.split("-") if part)[:40] or "step"


class ConsoleSession:
    """A headless browser logged in to the console ``spec`` describes (``recipe`` is the target
    file, named in errors). ``shots_dir`` is the run's ``screenshots/`` directory (None: no
    screenshots); ``on_shot`` receives each one's fact."""

    def __init__(
        self,
        spec: Console,
        *,
        recipe: str,
        shots_dir: Path | None = None,
        on_shot: ShotSink | None = None,
    ) -> None:
        self.spec = spec
        self.recipe = recipe
        self.shots_dir = shots_dir
        self.on_shot = on_shot
        self.timeout_s = spec.step_timeout_s
        self._lock = asyncio.Lock()
        self._count = 0
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._context: BrowserContext | None = None
        self._page: Page | None = None
        self._logged_in = False
        self._login_error: WebStepError | None = None

    # --- life cycle ----------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def _start(self) -> Page:
        if self._page is not None:
            return self._page
        try:
            from playwright.async_api import Error as PlaywrightError
            from playwright.async_api import async_playwright
        except ImportError as exc:  # pragma: no cover - a dependency of the package
            raise AdapterError(
                "Playwright for Python is not installed: make install",
                "未安装 Playwright for Python：请运行 make install",
            ) from exc
        executable = browser_path(self.spec.browser)
        try:
            async with asyncio.timeout(LAUNCH_TIMEOUT_S):
                self._playwright = await async_playwright().start()
                self._browser = await self._playwright.chromium.launch(
                    executable_path=executable,
                    headless=True,
                    args=["--no-sandbox", "--disable-gpu", "--mute-audio", "--disable-quic"],
                )
                view = self.spec.viewport
                self._context = await self._browser.new_context(
                    viewport={"width": view.width, "height": view.height},
                    locale="zh-CN",
                    timezone_id="Asia/Shanghai",
                    ignore_https_errors=False,
                )
                self._context.set_default_timeout(self.timeout_s * 1000)
                self._context.set_default_navigation_timeout(self.timeout_s * 1000)
                self._page = await self._context.new_page()
        except (TimeoutError, PlaywrightError) as exc:
            await self.close()
            raise AdapterError(
                f"{self.recipe}: could not start the browser {executable} for the web console: {exc}",
                f"{self.recipe}：无法启动用于 Web 控制台的浏览器 {executable}：{exc}",
            ) from exc
        return self._page

    async def close(self) -> None:
        """Close the browser and Playwright (bounded; safe to call twice)."""
        browser, playwright = self._browser, self._playwright
        self._page = self._context = self._browser = self._playwright = None
        self._logged_in = False
        for closing in (browser.close() if browser else None, playwright.stop() if playwright else None):
            if closing is None:
                continue
            try:
                async with asyncio.timeout(CLOSE_TIMEOUT_S):
                    await closing
            except Exception as exc:  # noqa: BLE001 - closing must not hide the run's outcome
                log.warning("closing the web console's browser: %s", exc)

    # --- pages and steps -------------------------------------------------------------------------

    def url(self, path: str) -> str:
        """The console page ``path`` (relative to ``console.url``)."""
        return urljoin(self.spec.url, path.lstrip("/") if not path.startswith("//") else path)

    @staticmethod
    def url_of(page: Page, href: str) -> str:
        """A link's address made absolute against the page it is on."""
        return urljoin(page.url, href)

    @property
    def context(self) -> BrowserContext:
        assert self._context is not None, "the browser is not started"
        return self._context

    @contextlib.asynccontextmanager
    async def flow(self) -> AsyncIterator[Page]:
        """The logged-in page, held alone for the duration of one flow."""
        async with self._lock:
            if self._login_error is not None:
                # A refused login is not retried by every flow (nor photographed again).
                raise self._login_error
            page = await self._start()
            if not self._logged_in:
                try:
                    await self._login(page)
                except WebStepError as exc:
                    self._login_error = exc
                    raise
            yield page

    async def shot(
        self,
        step: str,
        topic: str,
        caption: str,
        caption_zh: str,
        *,
        call_key: str | None = None,
        ok: bool = True,
        error: str | None = None,
        full_page: bool = False,
    ) -> str | None:
        """Screenshot the page as ``screenshots/NN-step.png``; its relative path (None when
        screenshots are off or the page cannot be captured)."""
        if self.shots_dir is None or self._page is None:
            return None
        self._count += 1
        relative = f"screenshots/{self._count:02d}-{_slug(step)}.png"
        path = self.shots_dir.parent / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            async with asyncio.timeout(self.timeout_s + STEP_SLACK_S):
                await self._page.screenshot(
                    path=str(path), full_page=full_page, timeout=self.timeout_s * 1000
                )
        except Exception as exc:  # noqa: BLE001 - a missing screenshot must not hide the step's outcome
            log.warning("screenshot %s failed: %s", relative, exc)
            return None
        if self.on_shot is not None:
            self.on_shot(
                ScreenshotFact(
                    index=self._count,
                    step=step,
                    topic=topic,
                    caption=caption,
                    caption_zh=caption_zh,
                    path=relative,
                    taken_at=time.time(),
                    call_key=call_key,
                    ok=ok,
                    error=error,
                )
            )
        return relative

    async def fail(
        self,
        step: str,
        topic: str,
        problem: str,
        problem_zh: str,
        *,
        selector: str | None = None,
        call_key: str | None = None,
    ) -> WebStepError:
        """The error of a failed step, after a screenshot of the page as the step left it."""
        shot = await self.shot(
            step,
            topic,
            f"step `{step}` failed: {problem}",
            f"步骤 `{step}` 失败：{problem_zh}",
            call_key=call_key,
            ok=False,
            error=problem,
        )
        return WebStepError(self.recipe, step, problem, problem_zh, selector=selector, screenshot=shot)

    @contextlib.asynccontextmanager
    async def step(
        self, page: Page, step: str, topic: str, *, call_key: str | None = None
    ) -> AsyncIterator[None]:
        """Run one step within its bound; a Playwright error or the bound becomes a
        :class:`WebStepError` (with a screenshot) naming the step."""
        from playwright.async_api import Error as PlaywrightError

        try:
            async with asyncio.timeout(self.timeout_s * 3 + STEP_SLACK_S):
                yield
        except WebStepError:
            raise
        except (TimeoutError, PlaywrightError) as exc:
            text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise await self.fail(
                step,
                topic,
                f"{text} (page {_page_path(page)})",
                f"{text}（页面 {_page_path(page)}）",
                call_key=call_key,
            ) from exc

    async def goto(self, page: Page, step: str, topic: str, path: str) -> None:
        """Open the console page ``path`` (a step of its own name)."""
        from playwright.async_api import Error as PlaywrightError

        target = self.url(path)
        try:
            async with asyncio.timeout(self.timeout_s + STEP_SLACK_S):
                response = await page.goto(target, wait_until="load")
        except (TimeoutError, PlaywrightError) as exc:
            raise await self.fail(
                step,
                topic,
                f"cannot open {target} within {self.timeout_s:g} s: {str(exc).splitlines()[0]}",
                f"{self.timeout_s:g} 秒内无法打开 {target}：{str(exc).splitlines()[0]}",
            ) from exc
        if response is not None and response.status >= 400:
            raise await self.fail(
                step,
                topic,
                f"{target} answered HTTP {response.status}",
                f"{target} 返回 HTTP {response.status}",
            )

    async def element(
        self,
        page: Page | Locator,
        step: str,
        topic: str,
        selector: str,
        *,
        what: str,
        what_zh: str,
        call_key: str | None = None,
    ) -> Locator:
        """The first element ``selector`` finds, waited for within the step bound; a
        :class:`WebStepError` naming ``what`` and the selector when none appears."""
        from playwright.async_api import Error as PlaywrightError

        found = page.locator(selector).first
        try:
            async with asyncio.timeout(self.timeout_s + STEP_SLACK_S):
                await found.wait_for(state="attached", timeout=self.timeout_s * 1000)
        except (TimeoutError, PlaywrightError) as exc:
            raise await self.fail(
                step,
                topic,
                f"no {what} within {self.timeout_s:g} s",
                f"{self.timeout_s:g} 秒内未出现{what_zh}",
                selector=selector,
                call_key=call_key,
            ) from exc
        return found

    # --- login ------------------------------------------------------------------------------------

    async def _login(self, page: Page) -> None:
        login = self.spec.login
        password = self.spec.password.get_secret_value() if self.spec.password is not None else ""
        await self.goto(page, "login", "login", login.path)
        async with self.step(page, "login", "login"):
            user = await self.element(
                page, "login", "login", login.username, what="username field", what_zh="用户名输入框"
            )
            await user.fill(self.spec.username)
            secret = await self.element(
                page, "login", "login", login.password, what="password field", what_zh="密码输入框"
            )
            await secret.fill(password)
            await self.shot(
                "login",
                "login",
                f"the console's login page with the inspection account {self.spec.username}",
                f"控制台登录页面（核查演示账号 {self.spec.username}）",
            )
            button = await self.element(
                page, "login", "login", login.submit, what="submit button", what_zh="登录按钮"
            )
            await button.click()
            await self._await_login(page)
        self._logged_in = True

    async def _await_login(self, page: Page) -> None:
        """Wait until the success element shows; a refusal (``failure``) or the bound is an error."""
        login = self.spec.login
        deadline = time.monotonic() + self.timeout_s
        while time.monotonic() < deadline:
            if await page.locator(login.success).count():
                return
            if login.failure and await page.locator(login.failure).count():
                said = (await page.locator(login.failure).first.inner_text()).strip()
                raise await self.fail(
                    "login",
                    "login",
                    f"the console refused the login of {self.spec.username}: '{said}'",
                    f"控制台拒绝了账号 {self.spec.username} 的登录：“{said}”",
                    selector=login.failure,
                )
            await asyncio.sleep(0.2)
        raise await self.fail(
            "login",
            "login",
            f"not logged in within {self.timeout_s:g} s: the element that shows once logged in "
            "did not appear",
            f"{self.timeout_s:g} 秒内未完成登录：登录后应出现的元素未出现",
            selector=login.success,
        )

    async def status_after_login(self, username: str, password: str, url: str) -> int:
        """The HTTP status of ``url`` in a fresh browser context (none of our cookies) after
        logging in as ``username`` with ``password``: the access probe's "wrong credentials"
        and default-account requests. A console that lets them in then serves ``url``."""
        await self._start()
        assert self._browser is not None
        context = await self._browser.new_context()
        context.set_default_timeout(self.timeout_s * 1000)
        try:
            page = await context.new_page()
            login = self.spec.login
            async with asyncio.timeout(self.timeout_s * 2 + STEP_SLACK_S):
                await page.goto(self.url(login.path), wait_until="load")
                await page.locator(login.username).first.fill(username)
                await page.locator(login.password).first.fill(password)
                await page.locator(login.submit).first.click()
                await page.wait_for_load_state("load")
                response = await context.request.get(url, max_redirects=0, timeout=self.timeout_s * 1000)
                return response.status
        except Exception as exc:
            from playwright.async_api import Error as PlaywrightError

            if not isinstance(exc, TimeoutError | PlaywrightError):
                raise
            raise AdapterError(
                f"{self.recipe}: the wrong-password login to probe {url} failed: {exc}",
                f"{self.recipe}：为探测 {url} 而进行的错误密码登录失败：{exc}",
            ) from exc
        finally:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(CLOSE_TIMEOUT_S):
                    await context.close()

    async def anonymous_status(self, url: str) -> int:
        """The HTTP status of ``url`` fetched with no session (redirects not followed)."""
        await self._start()
        assert self._playwright is not None
        request = await self._playwright.request.new_context()
        try:
            response = await request.get(url, max_redirects=0, timeout=self.timeout_s * 1000)
            return response.status
        except Exception as exc:
            from playwright.async_api import Error as PlaywrightError

            if not isinstance(exc, TimeoutError | PlaywrightError):
                raise
            raise AdapterError(
                f"the anonymous request for {url} failed: {exc}", f"对 {url} 的匿名请求失败：{exc}"
            ) from exc
        finally:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(CLOSE_TIMEOUT_S):
                    await request.dispose()

    async def fetch(self, url: str) -> tuple[int, bytes]:
        """``url`` fetched with the page's own session (its cookies): status and body."""
        from playwright.async_api import Error as PlaywrightError

        try:
            async with asyncio.timeout(self.timeout_s * 3 + STEP_SLACK_S):
                response = await self.context.request.get(url, timeout=self.timeout_s * 3000)
                return response.status, await response.body()
        except (TimeoutError, PlaywrightError) as exc:
            raise AdapterError(
                f"{self.recipe}: fetching {url} with the console's session failed: {exc}",
                f"{self.recipe}：使用控制台会话获取 {url} 失败：{exc}",
            ) from exc


def _page_path(page: Any) -> str:
    try:
        return urlsplit(page.url).path or "/"
    except Exception:  # noqa: BLE001 - only for a message
        return "?"
