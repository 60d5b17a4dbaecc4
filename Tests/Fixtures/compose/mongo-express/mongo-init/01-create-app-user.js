db = db.getSiblingDB("catalog");
db.createUser({
  user: "catalog",
  pwd: "not-a-real-password",
  roles: [{ role: "readWrite", db: "catalog" }],
});
db.createCollection("products");
db.products.createIndex({ sku: 1 }, { unique: true });
