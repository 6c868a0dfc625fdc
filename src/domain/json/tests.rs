use super::*;
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, PartialEq, Deserialize, Default)]
#[serde(default)]
struct Inner {
    n: u32,
    f: f64,
    s: Option<String>,
    list: Vec<String>,
}

impl Inner {
    fn decode(v: Value) -> Result<Inner, Error> {
        let mut o = Obj::new(v, "struct Inner")?;
        let r = Inner { n: o.def("n"), f: o.def("f"), s: o.def("s"), list: o.def("list") };
        o.end(r)
    }
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum E {
    Unit,
    Data { x: i32 },
}

impl FromJson for E {
    fn from_json(v: Value) -> Result<E, Error> {
        let (name, content) = variant(v)?;
        match name.as_str() {
            "unit" => unit_content(content).map(|()| E::Unit),
            "data" => {
                let mut o = struct_content(content)?;
                let r = E::Data { x: o.req("x") };
                o.end(r)
            }
            other => Err(unknown_variant(other)),
        }
    }
}

#[derive(Debug, PartialEq, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum U {
    First,
    SecondOne,
}
unit_enum!(U { "first" => U::First, "second-one" => U::SecondOne });

#[test]
fn same_results_as_serde_json() {
    let v = json!({"n": 7, "f": 1.5, "s": null, "list": ["a", "b"], "extra": {"deep": [1]}});
    assert_eq!(Inner::decode(v.clone()).unwrap(), serde_json::from_value::<Inner>(v).unwrap());
    let v = json!({"f": 2});
    assert_eq!(Inner::decode(v.clone()).unwrap(), serde_json::from_value::<Inner>(v).unwrap());
    for v in [json!("unit"), json!({"unit": null}), json!({"data": {"x": -3}})] {
        assert_eq!(from_value::<E>(v.clone()).unwrap(), serde_json::from_value::<E>(v).unwrap());
    }
    for v in [json!("first"), json!("second-one"), json!({"first": null})] {
        assert_eq!(from_value::<U>(v.clone()).unwrap(), serde_json::from_value::<U>(v).unwrap());
    }
    assert_eq!(from_value::<Option<u32>>(json!(null)).unwrap(), None);
    assert_eq!(from_value::<(String, u32)>(json!(["a", 2])).unwrap(), ("a".to_string(), 2));
    assert_eq!(from_value::<i32>(json!(-5)).unwrap(), -5);
    assert_eq!(from_value::<u64>(json!(u64::MAX)).unwrap(), u64::MAX);
    assert_eq!(from_value::<f64>(json!(3)).unwrap(), 3.0);
}

#[test]
fn rejects_what_serde_json_rejects() {
    let structs = [
        json!([7, 1.5, null, []]),
        json!({"n": -1}),
        json!({"n": 4294967296u64}),
        json!({"n": "7"}),
        json!({"n": null}),
        json!({"n": 1.0}),
        json!({"list": "a"}),
    ];
    for v in structs {
        assert!(serde_json::from_value::<Inner>(v.clone()).is_err() || v.is_array(), "{v}");
        assert!(Inner::decode(v.clone()).is_err(), "{v}");
    }
    for v in [
        json!("nope"),
        json!({"data": {"x": 1}, "unit": null}),
        json!({"unit": 5}),
        json!(3),
        json!("data"),
        json!({"data": null}),
        json!({"data": {}}),
    ] {
        assert!(serde_json::from_value::<E>(v.clone()).is_err(), "{v}");
        assert!(from_value::<E>(v.clone()).is_err(), "{v}");
    }
    for v in [json!("First"), json!({"first": 1}), json!(0), json!(null)] {
        assert!(serde_json::from_value::<U>(v.clone()).is_err(), "{v}");
        assert!(from_value::<U>(v.clone()).is_err(), "{v}");
    }
    assert!(from_value::<i32>(json!(2147483648u64)).is_err());
    assert!(from_value::<(String, u32)>(json!(["a"])).is_err());
    assert_eq!(Inner::decode(json!({"n": "7"})).unwrap_err().to_string(), "invalid type: string \"7\", expected u32");
    assert_eq!(from_value::<u32>(json!(-1)).unwrap_err().to_string(), "invalid value: integer `-1`, expected u32");
    assert_eq!(
        {
            let mut o = Obj::new(json!({}), "struct X").unwrap();
            let n: u32 = o.req("n");
            o.end(n).unwrap_err().to_string()
        },
        "missing field `n`"
    );
}
