// The official Node.js driver against the mock, as an application uses it; prints what it saw as JSON.
const { MongoClient } = require('mongodb');

async function main(uri) {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  try {
    await client.connect();
    const users = client.db('app').collection('users');
    const out = {};
    out.admins = (await users.find({ role: 'admin' }).sort({ name: 1 }).toArray()).map((u) => u.name);
    await users.insertOne({ _id: '3', name: 'carol', role: 'user' });
    out.count = await users.countDocuments();
    out.byRole = await users.aggregate([{ $group: { _id: '$role', n: { $sum: 1 } } }, { $sort: { _id: 1 } }]).toArray();
    try {
      await users.insertOne({ _id: '1', name: 'again' });
      out.duplicate = 'accepted';
    } catch (e) {
      out.duplicate = e.code;
    }
    out.modified = (await users.updateOne({ _id: '2' }, { $set: { role: 'admin' } })).modifiedCount;
    out.deleted = (await users.deleteMany({ role: 'user' })).deletedCount;
    console.log(JSON.stringify(out));
  } finally {
    await client.close();
  }
}

main(process.argv[2]).catch((e) => {
  console.error(e.message);
  process.exit(1);
});
