package redact

import (
	"path"
	"strings"
)

// mysqlClients are the MySQL and MariaDB command-line clients, whose -p
// flag takes the password glued to it: "mysql -uroot -pSECRET".
var mysqlClients = map[string]bool{
	"mysql": true, "mysqldump": true, "mysqladmin": true, "mysqlimport": true, "mysqlshow": true, "mysqlcheck": true,
	"mysqlslap": true, "mysqlpump": true, "mysqlsh": true, "mysqlbinlog": true, "mysql_upgrade": true,
	"mariadb": true, "mariadb-dump": true, "mariadb-admin": true, "mariadb-import": true, "mariadb-show": true,
	"mariadb-check": true, "mariadb-slap": true, "mariadb-binlog": true, "mariadb-upgrade": true,
}

// MySQLClient reports whether word (a program name or path, with or
// without ".exe") runs a MySQL or MariaDB client.
func MySQLClient(word string) bool {
	w := strings.ToLower(path.Base(strings.ReplaceAll(word, `\`, "/")))
	return mysqlClients[strings.TrimSuffix(w, ".exe")]
}

// GluedPassword returns the password of a MySQL-style "-pPASSWORD"
// argument. It reports false for "-p" alone (the client then prompts),
// for "--password..." (a long flag: a key/value pair), and for a value
// that is a reference or a placeholder: "$VAR", "${VAR}", "%VAR%",
// "{{ ... }}", "<password>".
func GluedPassword(arg string) (string, bool) {
	v, ok := strings.CutPrefix(arg, "-p")
	if !ok || v == "" || v[0] == '-' {
		return "", false
	}
	v = strings.TrimPrefix(v, "=")
	switch {
	case v == "", strings.HasPrefix(v, "$"), strings.HasPrefix(v, "%") && strings.HasSuffix(v, "%"), strings.Contains(v, "{{"),
		strings.HasPrefix(v, "<") && strings.HasSuffix(v, ">"):
		return "", false
	}
	return v, true
}
