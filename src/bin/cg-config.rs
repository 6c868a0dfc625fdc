//! `cg-config <config.json> [layouts.json]`: validates operator config (and the layout
//! profiles) the way the worker does at start, so that `build.sh` refuses a bad config
//! with a message naming the field.

use cashback_guard::domain::{config, layout};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
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
    match config::parse_config(&text) {
        Ok(c) => println!("config {path}: ok ({}, key {}, default rate {} bp)", c.program_name, c.affiliate_key, c.rates.default_bp),
        Err(e) => {
            eprintln!("config {path}: invalid: {e}");
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
