"""An administrator at 1440×900: the go-live checklist, then an import of the dispatch catalogue
previewed with its row errors, corrected and applied; the checklist's item shrinks."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)
OFFICE = {"width": 1440, "height": 900}


def test_an_administrator_fixes_a_checklist_item_by_importing_the_catalogue(site, screenshot_dir, tmp_path):
    page = site.signed_in("admin")
    page.set_viewport_size(OFFICE)
    page.locator("nav details", has=page.locator("a", has_text="上线检查")).locator("summary").click()
    page.locator("nav a", has_text="上线检查").click()
    page.wait_for_url("**/work/setup/")
    catalogue = page.locator("#catalogue h2")
    before = int(catalogue.locator("span").inner_text())
    assert before > 0
    page.screenshot(path=str(screenshot_dir / "setup-checklist-1440.png"), full_page=True)

    page.locator("#catalogue a.button").click()
    page.wait_for_url("**/work/setup/import/?kind=catalogue")
    bad = tmp_path / "权责清单.csv"
    bad.write_text("诉求分类编码,区域代码,承办单位编码,办理时限\n"
                   "transport.parking,s1,so1,一般\n"
                   "transport.parking,s9,so2,一般\n"
                   "no.such.category,s2,so2,三天\n", encoding="gb18030")
    page.set_input_files("#id_file", str(bad))
    page.locator("#setup-upload button[type=submit]").click()
    page.wait_for_selector("#setup-errors")
    errors = page.locator("#setup-errors tbody tr")
    assert errors.count() == 3  # the unknown region; the unknown category and time limit of row 4
    assert "区域“s9”不存在" in errors.nth(0).inner_text()
    page.screenshot(path=str(screenshot_dir / "setup-import-preview-1440.png"), full_page=True)

    good = tmp_path / "权责清单-改.csv"
    good.write_text("诉求分类编码,区域代码,承办单位编码,办理时限\n"
                    "transport.parking,s1,so1,一般\n"
                    "transport.parking,s2,so2,复杂\n", encoding="utf-8")
    page.locator("a.button", has_text="重新上传").click()
    page.set_input_files("#id_file", str(good))
    page.locator("#setup-upload button[type=submit]").click()
    page.wait_for_selector("#setup-changes")
    assert page.locator("#setup-changes tbody tr").count() == 2
    page.locator("button", has_text="确认导入").click()
    page.wait_for_selector("#setup-applied")
    page.locator("#setup-applied a").click()
    page.wait_for_url("**/work/setup/")
    after = page.locator("#catalogue h2 span").inner_text()
    assert after == "✓" or int(after) == before - 2  # 停车管理 in both streets now has its rule
