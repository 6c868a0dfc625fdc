//! Typed values to and from `serde_json::Value` without serde's visitors and serializers.
//! Stored records and messages are decoded by hand-written [`FromJson`] impls and written by
//! [`ToJson`] impls: each struct is a table of field reads or writes through a few shared,
//! non-generic helpers, several times smaller in wasm than the code `#[derive(Deserialize,
//! Serialize)]` instantiates per struct and field type. The rules are serde's (and were
//! checked against the derives): structs only from objects, unknown fields ignored, an
//! absent `Option` field is `None`, an absent field without a default is an error, a
//! present field of the wrong type is an error (also `null` for a non-`Option`), integers
//! in range, enums as their variant name (or `{"variant": …}`); written the same way
//! (options as `null`, non-finite floats as `null`). `serde` impls for these types go
//! through the same code ([`serde_via_json`]).

use serde_json::{Map, Value};

mod to;
pub use to::{Out, ToJson};

/// A decoding error. Its messages never format a float (the float formatter would be
/// linked into the wasm for an error text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => format!("integer `{u}`"),
            (_, Some(i)) => format!("integer `{i}`"),
            _ => "a floating point number".into(),
        },
        Value::String(s) => format!("string {:?}", s.chars().take(40).collect::<String>()),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// `invalid type: …, expected …` (or `invalid value` for a number out of range).
#[inline(never)]
fn invalid(v: &Value, expected: &str) -> Error {
    let kind = if v.is_number() && expected.starts_with(['u', 'i']) { "value" } else { "type" };
    Error(format!("invalid {kind}: {}, expected {expected}", describe(v)))
}

#[inline(never)]
fn missing(k: &str) -> Error {
    Error(format!("missing field `{k}`"))
}

/// A value of a type from JSON.
pub trait FromJson: Sized {
    fn from_json(v: Value) -> Result<Self, Error>;
    /// The value of an absent field: `None` for options (as serde has it), an error for
    /// everything else.
    fn absent() -> Option<Self> {
        None
    }
}

/// `serde_json::from_value`, by [`FromJson`].
pub fn from_value<T: FromJson>(v: Value) -> Result<T, Error> {
    T::from_json(v)
}

impl FromJson for Value {
    fn from_json(v: Value) -> Result<Self, Error> {
        Ok(v)
    }
}

impl FromJson for String {
    fn from_json(v: Value) -> Result<Self, Error> {
        match v {
            Value::String(s) => Ok(s),
            other => Err(invalid(&other, "a string")),
        }
    }
}

impl FromJson for bool {
    fn from_json(v: Value) -> Result<Self, Error> {
        match v {
            Value::Bool(b) => Ok(b),
            other => Err(invalid(&other, "a boolean")),
        }
    }
}

impl FromJson for f64 {
    fn from_json(v: Value) -> Result<Self, Error> {
        match &v {
            Value::Number(n) => Ok(n.as_f64().unwrap_or(f64::NAN)),
            _ => Err(invalid(&v, "f64")),
        }
    }
}

/// An integer in `min..=max` (as `i128`: every JSON integer fits).
#[inline(never)]
fn int(v: &Value, min: i128, max: i128, expected: &'static str) -> Result<i128, Error> {
    let n = match v {
        Value::Number(n) => n.as_u64().map(i128::from).or_else(|| n.as_i64().map(i128::from)),
        _ => None,
    };
    n.filter(|n| (min..=max).contains(n)).ok_or_else(|| invalid(v, expected))
}

impl FromJson for u32 {
    fn from_json(v: Value) -> Result<Self, Error> {
        int(&v, 0, u32::MAX.into(), "u32").map(|n| n as u32)
    }
}

impl FromJson for u64 {
    fn from_json(v: Value) -> Result<Self, Error> {
        int(&v, 0, u64::MAX.into(), "u64").map(|n| n as u64)
    }
}

impl FromJson for i32 {
    fn from_json(v: Value) -> Result<Self, Error> {
        int(&v, i32::MIN.into(), i32::MAX.into(), "i32").map(|n| n as i32)
    }
}

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(v: Value) -> Result<Self, Error> {
        match v {
            Value::Null => Ok(None),
            v => T::from_json(v).map(Some),
        }
    }
    fn absent() -> Option<Self> {
        Some(None)
    }
}

/// The elements of a list.
#[inline(never)]
fn list(v: Value) -> Result<Vec<Value>, Error> {
    match v {
        Value::Array(a) => Ok(a),
        other => Err(invalid(&other, "a sequence")),
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(v: Value) -> Result<Self, Error> {
        let a = list(v)?;
        let mut out = Vec::with_capacity(a.len());
        for e in a {
            out.push(T::from_json(e)?);
        }
        Ok(out)
    }
}

/// A pair is a list of (at least) two elements.
impl<A: FromJson, B: FromJson> FromJson for (A, B) {
    fn from_json(v: Value) -> Result<Self, Error> {
        let mut it = list(v)?.into_iter();
        let (Some(a), Some(b)) = (it.next(), it.next()) else {
            return Err(Error("invalid length, expected a tuple of size 2".into()));
        };
        Ok((A::from_json(a)?, B::from_json(b)?))
    }
}

/// The fields of an object being decoded into a struct. The field reads return a value
/// whatever happens and keep the first error; [`Obj::end`] gives it back. (No early return
/// per field: in wasm, every `?` between fields was a path dropping the fields before it.)
pub struct Obj {
    fields: Map<String, Value>,
    error: Option<Error>,
}

impl Obj {
    /// `v` as the fields of `what` (`"struct X"`): only an object is.
    #[inline(never)]
    pub fn new(v: Value, what: &'static str) -> Result<Obj, Error> {
        match v {
            Value::Object(fields) => Ok(Obj { fields, error: None }),
            other => Err(invalid(&other, what)),
        }
    }

    #[inline(never)]
    fn take(&mut self, k: &str) -> Option<Value> {
        self.fields.remove(k)
    }

    #[inline(never)]
    fn fail(&mut self, e: Error) {
        self.error.get_or_insert(e);
    }

    fn read<T: FromJson>(&mut self, v: Value, placeholder: T) -> T {
        T::from_json(v).unwrap_or_else(|e| {
            self.fail(e);
            placeholder
        })
    }

    /// A field without a default (absent: `None` for an option, an error otherwise).
    /// `placeholder` is returned only with an error.
    pub fn need<T: FromJson>(&mut self, k: &'static str, placeholder: T) -> T {
        match self.take(k) {
            Some(v) => self.read(v, placeholder),
            None => T::absent().unwrap_or_else(|| {
                self.fail(missing(k));
                placeholder
            }),
        }
    }

    /// [`Obj::need`] with the type's default as the placeholder.
    pub fn req<T: FromJson + Default>(&mut self, k: &'static str) -> T {
        self.need(k, T::default())
    }

    /// A field with a default (`#[serde(default)]`).
    pub fn or<T: FromJson>(&mut self, k: &'static str, default: T) -> T {
        match self.take(k) {
            Some(v) => self.read(v, default),
            None => default,
        }
    }

    /// A field defaulting to its type's default.
    pub fn def<T: FromJson + Default>(&mut self, k: &'static str) -> T {
        self.or(k, T::default())
    }

    /// The decoded value, or the first error of its fields.
    pub fn end<T>(self, value: T) -> Result<T, Error> {
        match self.error {
            None => Ok(value),
            Some(e) => Err(e),
        }
    }
}

/// An enum's variant: its name, and its content when it came as `{"name": content}`.
#[inline(never)]
pub fn variant(v: Value) -> Result<(String, Option<Value>), Error> {
    match v {
        Value::String(s) => Ok((s, None)),
        Value::Object(m) if m.len() == 1 => Ok(m.into_iter().next().map(|(k, v)| (k, Some(v))).expect("one entry")),
        other => Err(invalid(&other, "a string or an object with one key")),
    }
}

#[inline(never)]
pub fn unknown_variant(name: &str) -> Error {
    Error(format!("unknown variant `{}`", name.chars().take(40).collect::<String>()))
}

/// The index in `names` of a unit variant (`"name"` or `{"name": null}`).
#[inline(never)]
pub fn unit_variant(v: Value, names: &[&str]) -> Result<usize, Error> {
    let (name, content) = variant(v)?;
    let i = names.iter().position(|n| *n == name).ok_or_else(|| unknown_variant(&name))?;
    unit_content(content)?;
    Ok(i)
}

/// A unit variant's content: none, or `null`.
#[inline(never)]
pub fn unit_content(content: Option<Value>) -> Result<(), Error> {
    match content {
        None | Some(Value::Null) => Ok(()),
        Some(other) => Err(invalid(&other, "unit variant")),
    }
}

/// A struct variant's fields (`{"name": {…}}`).
#[inline(never)]
pub fn struct_content(content: Option<Value>) -> Result<Obj, Error> {
    match content {
        Some(v) => Obj::new(v, "struct variant"),
        None => Err(Error("invalid type: unit variant, expected struct variant".into())),
    }
}

/// Unit-only enums: `FromJson` and `ToJson` by their variant names, in declaration order.
macro_rules! unit_enum {
    ($t:ty { $($name:literal => $var:path),* $(,)? }) => {
        impl $crate::domain::json::FromJson for $t {
            fn from_json(v: serde_json::Value) -> Result<Self, $crate::domain::json::Error> {
                const ALL: &[$t] = &[$($var),*];
                $crate::domain::json::unit_variant(v, &[$($name),*]).map(|i| ALL[i])
            }
        }
        impl $crate::domain::json::ToJson for $t {
            fn to_json(&self) -> serde_json::Value {
                serde_json::Value::String(match self { $($var => $name),* }.into())
            }
        }
    };
}
pub(crate) use unit_enum;

/// `serde::Deserialize` and `serde::Serialize` through [`FromJson`] and [`ToJson`] (for
/// `serde_json::to_value`, and tools and tests that use serde).
macro_rules! serde_via_json {
    ($($t:ty),* $(,)?) => {
        $(impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let v = <serde_json::Value as serde::Deserialize>::deserialize(d)?;
                <$t as $crate::domain::json::FromJson>::from_json(v).map_err(serde::de::Error::custom)
            }
        }
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                serde::Serialize::serialize(&$crate::domain::json::ToJson::to_json(self), s)
            }
        })*
    };
}
pub(crate) use serde_via_json;

/// `serde::Deserialize` through [`FromJson`] (types that keep a derived `Serialize`).
macro_rules! serde_via_from_json {
    ($($t:ty),* $(,)?) => {
        $(impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let v = <serde_json::Value as serde::Deserialize>::deserialize(d)?;
                <$t as $crate::domain::json::FromJson>::from_json(v).map_err(serde::de::Error::custom)
            }
        })*
    };
}
pub(crate) use serde_via_from_json;

#[cfg(test)]
mod tests;
