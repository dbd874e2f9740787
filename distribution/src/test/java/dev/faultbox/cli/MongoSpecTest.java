package dev.faultbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultbox.sut.Users;
import dev.faultbox.testkit.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reference page's MongoDB mock, as written but on a free port, driven from a spec. */
class MongoSpecTest {
  @TempDir Path dir;

  @Test
  void thePagesMongoServerServesItsSeedsWithEventsStepsAndRecipes() throws Exception {
    int port = FreePorts.tcp();
    Path spec = dir.resolve("users.star");
    Files.writeString(spec, """
        load("@faultbox/mocks/mongodb.star", "mongo")
        load("@faultbox/recipes/mongodb.star", "mongodb_faults")

        users_db = mongo.server(
            name      = "users-stub",
            interface = interface("main", "mongodb", %d),
            collections = {
                "users": [
                    {"_id": "1", "name": "alice", "role": "admin"},
                    {"_id": "2", "name": "bob",   "role": "user"},
                ],
            },
        )

        def test_find_filters():
            r = users_db.main.find(collection = "users", filter = {"role": "admin"})
            assert_eq(r.status, 0)
            assert_eq([u["name"] for u in r.json], ["alice"])
            assert_eq(events().where(service = "users-stub", op = "find", collection = "users").count(), 1)
            assert_eq(events().where(service = "users-stub", op = "find").first().n, 1)

        def test_writes_are_read_back_within_the_test():
            assert_true(users_db.main.insert(collection = "users", document = {"_id": "3", "name": "carol", "role": "user"}).ok)
            users_db.main.update(collection = "users", filter = {"_id": "2"}, update = {"$set": {"role": "admin"}})
            assert_eq(users_db.main.count(collection = "users", filter = {"role": "admin"}).json["count"], 2)
            assert_eq(users_db.main.delete(collection = "users", filter = {"_id": "1"}).json["deleted"], 1)
            names = [u["name"] for u in users_db.main.find(collection = "users", sort = {"name": 1}).json]
            assert_eq(names, ["bob", "carol"])

        def test_every_test_starts_from_the_seeds():
            assert_eq(users_db.main.count(collection = "users").json["count"], 2)

        def test_duplicate_key_recipe():
            r = fault(users_db.main, mongodb_faults.duplicate_key_error(collection = "users"),
                      run = lambda: users_db.main.insert(collection = "users", document = {"name": "dan"}))
            assert_true(not r.ok, "refused")
            assert_eq(r.status, 11000)
            assert_eq(events().where(service = "users-stub", op = "insert", code = 11000).count(), 1)
            assert_eq(users_db.main.count(collection = "users").json["count"], 2)

        def test_error_rule_with_a_code_name():
            r = fault(users_db.main, error(op = "find", collection = "users", status = "NotWritablePrimary", message = "not primary"),
                      run = lambda: users_db.main.find(collection = "users"))
            assert_eq(r.status, 10107)
            assert_eq(r.error, "not primary")

        def test_error_rule_with_a_code():
            r = fault(users_db.main, error(op = "insert", collection = "users", code = 11000, message = "E11000 duplicate key error"),
                      run = lambda: users_db.main.insert(collection = "users", document = {"name": "dan"}))
            assert_eq(r.status, 11000)
            assert_eq(events().where(service = "users-stub", op = "insert", fault = "*").first().code, 11000)

        def test_more_recipes():
            find = lambda: users_db.main.find(collection = "users")
            assert_eq(fault(users_db.main, mongodb_faults.timeout(collection = "users"), run = find).status, 50)
            assert_eq(fault(users_db.main, mongodb_faults.write_conflict(),
                            run = lambda: users_db.main.update(collection = "users", filter = {}, update = {"$set": {"x": 1}})).status, 112)
            assert_eq(fault(users_db.main, mongodb_faults.disk_full(),
                            run = lambda: users_db.main.insert(collection = "users", document = {})).status, 14031)
            dropped = fault(users_db.main, mongodb_faults.connection_drop(collection = "users"), run = find)
            assert_true(not dropped.ok and dropped.status == 0, dropped.error)
            assert_true(find().ok, "served again after the drop")

        def test_slow_query_recipe():
            r = fault(users_db.main, mongodb_faults.slow_query(collection = "users", duration = "300ms"),
                      run = lambda: users_db.main.find(collection = "users"))
            assert_true(r.ok and r.duration_ms >= 300, str(r.duration_ms))

        def test_unknown_command():
            r = users_db.main.command(command = {"frobnicate": 1})
            assert_eq(r.status, 59)
        """.formatted(port));
    Cli r = Cli.run("test", spec.toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).endsWith("9 passed, 0 failed\n");
    assertThat(r.err()).as("the mock prints nothing").isEmpty();
  }

  @Test
  void aServiceReadingItsUsersThroughTheDriverRunsAgainstTheMock() throws Exception {
    Path launcher = dir.resolve("users.sh");
    Files.writeString(launcher, "#!/bin/sh\nexec java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp '"
        + System.getProperty("java.class.path") + "' '" + Users.class.getName() + "'\n");
    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
    int db = FreePorts.tcp();
    int api = FreePorts.tcp();
    Path spec = dir.resolve("users.star");
    Files.writeString(spec, """
        load("@faultbox/mocks/mongodb.star", "mongo")
        load("@faultbox/recipes/mongodb.star", "mongodb_faults")

        users_db = mongo.server("users-db", interface("main", "mongodb", %1$d), database = "app",
                                collections = {"users": [{"_id": "1", "name": "alice", "role": "admin"},
                                                         {"_id": "2", "name": "bob", "role": "user"}]})

        api = service("api", "./users.sh",
            interface("public", "http", %2$d),
            depends_on = [users_db],
            env = {"MONGO_URI": "mongodb://127.0.0.1:%1$d/app", "PORT": str(%2$d)},
            healthcheck = http("localhost:%2$d/health"),
        )

        def test_users_come_from_mongodb():
            assert_eq(api.get(path = "/users/1").json["name"], "alice")
            assert_eq(api.get(path = "/users/9").status, 404)
            assert_eq(api.get(path = "/users", query = {"role": "admin"}).json["count"], 1)
            assert_eq(events().where(service = "users-db", op = "find", collection = "users", db = "app").count(), 2)

        def test_signup_and_duplicate():
            assert_eq(api.post(path = "/users", body = {"_id": "3", "name": "carol", "role": "user"}).status, 201)
            assert_eq(api.get(path = "/users/3").json["name"], "carol")
            assert_eq(api.post(path = "/users", body = {"_id": "3", "name": "again"}).status, 409)
            assert_eq(users_db.main.count(collection = "users", database = "app").json["count"], 3)
            assert_eq(events().where(service = "users-db", op = "insert", code = 11000).count(), 1)

        def test_replica_unavailable_gives_503():
            r = fault(users_db.main, mongodb_faults.replica_unavailable(collection = "users"),
                      run = lambda: api.get(path = "/users/1"))
            assert_eq(r.status, 503)
            assert_eventually(events().where(service = "api", type = "stderr", line = "mongodb failed: 10107*").count() == 1)
        """.formatted(db, api));
    Cli r = Cli.run("test", spec.toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).endsWith("3 passed, 0 failed\n");
  }
}
