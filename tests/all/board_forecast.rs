//! The board draws the forecast of every release in progress as one
//! timeline (contract 11.8): one row per release, the same entries and
//! waits as `rel forecast --json`.

use serde_json::Value;

use crate::board::{page, sel, text};
use crate::common::git::one_commit;
use crate::common::releases::new_release;
use crate::common::Env;

#[test]
fn the_board_shows_rel_forecast_as_one_timeline() {
    let env = Env::new();
    let a = new_release(&env, "1.1.0");
    let b = new_release(&env, "1.2.0");
    one_commit(&env, &["promote", &a, "--yes"]);
    one_commit(&env, &["promote", &b, "--yes"]);
    let doc = env.rel(&["--json", "forecast"]).ok().json();
    let html = page(&env);
    let section = html
        .select(&sel("section.forecast"))
        .next()
        .expect("a forecast section");
    assert_eq!(
        text(section.select(&sel("h2")).next().expect("h2")),
        "Forecast"
    );
    let rows: Vec<_> = section.select(&sel(".forecast-row")).collect();
    assert_eq!(rows.len(), 2);
    for (row, id) in rows.iter().zip([&a, &b]) {
        let r = doc["releases"]
            .as_array()
            .expect("releases")
            .iter()
            .find(|r| r["release"] == id.as_str())
            .expect("in the forecast");
        assert!(text(*row).starts_with(id.as_str()), "{}", text(*row));
        // Each entry, at the instant `rel forecast` gives.
        let shown: Vec<String> = row
            .select(&sel(".forecast-steps li > time"))
            .filter_map(|t| t.value().attr("datetime").map(str::to_string))
            .collect();
        let forecast: Vec<String> = r["steps"].as_array().expect("steps")[1..]
            .iter()
            .map(|s| s["enter"].as_str().expect("enter").to_string())
            .collect();
        assert_eq!(shown, forecast);
        assert_eq!(forecast.len(), 2);
        // Its stays drawn on the line.
        assert!(row.select(&sel(".forecast-stay")).count() >= 2);
        if r["done_at"] != Value::Null {
            assert!(text(*row).contains("done"), "{}", text(*row));
        }
    }
    // Why B waits: behind A in the queue for staging.
    assert!(
        text(rows[1]).contains(&format!("exclusive behind {a}")),
        "{}",
        text(rows[1])
    );
}
