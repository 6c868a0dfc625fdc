//! `cg-config <config.json> [layouts.json] [--manifest IN OUT]`: validates operator config
//! (and the layout profiles) the way the worker does at start, so that `build.sh` refuses a
//! bad config with a message naming the field. The account `pattern` is compiled here (the
//! worker matches it with the browser's RegExp). With `--manifest`, writes the manifest
//! with what the config decides (`externally_connectable` for the account site); with
//! `--browser firefox` as well, the Firefox manifest made from the same source
//! (`config::firefox_manifest`).

use cashback_guard::domain::{config, layout};
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let firefox = match args.iter().position(|a| a == "--browser") {
        Some(i) if args.get(i + 1).is_some_and(|b| b == "firefox" || b == "chrome") => {
            let b = args.drain(i..i + 2).nth(1);
            b.as_deref() == Some("firefox")
        }
        Some(_) => {
            eprintln!("usage: --browser chrome|firefox");
            return ExitCode::from(2);
        }
        None => false,
    };
    let manifest = match args.iter().position(|a| a == "--manifest") {
        Some(i) if args.len() >= i + 3 => {
            let out = (args[i + 1].clone(), args[i + 2].clone());
            args.drain(i..i + 3);
            Some(out)
        }
        Some(_) => {
            eprintln!("usage: cg-config <config.json> [layouts.json] [--manifest IN OUT] [--browser chrome|firefox]");
            return ExitCode::from(2);
        }
        None => None,
    };
    let Some(path) = args.first() else {
        eprintln!("usage: cg-config <config.json> [layouts.json]");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("config {path}: cannot read: {e}");
            return ExitCode::from(1);
        }
    };
    let cfg = match config::parse_config(&text).and_then(|c| config::check_pattern(&c).map(|()| c)) {
        Ok(c) => {
            println!("config {path}: ok ({}, key {}, default rate {} bp)", c.program_name, c.affiliate_key, c.rates.default_bp);
            c
        }
        Err(e) => {
            eprintln!("config {path}: invalid: {e}");
            return ExitCode::from(1);
        }
    };
    if let Some((from, to)) = manifest {
        let written = std::fs::read_to_string(&from)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
            .map(|m| if firefox { config::firefox_manifest(&cfg, m) } else { config::manifest_for(&cfg, m) })
            .and_then(|m| serde_json::to_string_pretty(&m).map_err(|e| e.to_string()))
            .and_then(|t| std::fs::write(&to, t + "\n").map_err(|e| e.to_string()));
        if let Err(e) = written {
            eprintln!("manifest {from} → {to}: {e}");
            return ExitCode::from(1);
        }
    }
    if let Some(lpath) = args.get(1) {
        let text = match std::fs::read_to_string(lpath) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("layouts {lpath}: cannot read: {e}");
                return ExitCode::from(1);
            }
        };
        match layout::parse_layouts(&text) {
            Ok(l) => println!("layouts {lpath}: ok (version {}, {} profiles)", l.version, l.profiles.len()),
            Err(e) => {
                eprintln!("layouts {lpath}: invalid: {e}");
                return ExitCode::from(1);
            }
        }
    }
    ExitCode::SUCCESS
}
