//! Writing: [`ToJson`] for the value types and [`Out`], a struct's fields being written
//! into an object (one shared map insert per field).

use serde_json::{Map, Value};

/// A value as JSON: what `serde_json::to_value` gives for the derived `Serialize`
/// (the derives instantiated a serializer call per field type and struct; this is one
/// shared map insert per field).
pub trait ToJson {
    fn to_json(&self) -> Value;
}

impl ToJson for Value {
    fn to_json(&self) -> Value {
        self.clone()
    }
}

impl ToJson for str {
    fn to_json(&self) -> Value {
        Value::String(self.to_owned())
    }
}

impl ToJson for String {
    fn to_json(&self) -> Value {
        Value::String(self.clone())
    }
}

impl ToJson for bool {
    fn to_json(&self) -> Value {
        Value::Bool(*self)
    }
}

/// A finite number, or `null` (as serde_json writes NaN and infinities).
impl ToJson for f64 {
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
}

impl ToJson for u32 {
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
}

impl ToJson for u64 {
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
}

impl ToJson for i32 {
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
}

impl<T: ToJson + ?Sized> ToJson for &T {
    fn to_json(&self) -> Value {
        (**self).to_json()
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn to_json(&self) -> Value {
        match self {
            Some(v) => v.to_json(),
            None => Value::Null,
        }
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self) -> Value {
        Value::Array(self.iter().map(ToJson::to_json).collect())
    }
}

impl<A: ToJson, B: ToJson> ToJson for (A, B) {
    fn to_json(&self) -> Value {
        Value::Array(vec![self.0.to_json(), self.1.to_json()])
    }
}

/// A struct's fields being written into an object.
#[derive(Default)]
pub struct Out(Map<String, Value>);

impl Out {
    pub fn new() -> Out {
        Out(Map::new())
    }

    #[inline(never)]
    pub fn put(&mut self, k: &str, v: Value) {
        self.0.insert(k.to_owned(), v);
    }

    pub fn f<T: ToJson + ?Sized>(&mut self, k: &str, v: &T) {
        self.put(k, v.to_json())
    }

    pub fn done(self) -> Value {
        Value::Object(self.0)
    }

    /// An enum's struct variant: `{"name": {fields}}`.
    #[inline(never)]
    pub fn variant(self, name: &str) -> Value {
        let mut outer = Out::new();
        outer.put(name, self.done());
        outer.done()
    }
}
