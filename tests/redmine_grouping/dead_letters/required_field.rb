# A string custom field of the project TG_PROJECT alone (every tracker), required or not as
# TG_REQUIRED says: a real cause for Redmine to refuse the sink's tickets (422, "... cannot be
# blank"), and to accept them again. Prints TG_FIELD=<name>. Run by the dead-letters test.
project = Project.find_by!(identifier: ENV.fetch("TG_PROJECT"))
name = "必須項目 #{project.id}"  # Japanese, as operators name fields; 30 characters at most
field = IssueCustomField.find_by(name: name) ||
        IssueCustomField.new(name: name, field_format: "string", is_for_all: false)
field.trackers = Tracker.all
field.projects = [project]
field.is_required = ENV.fetch("TG_REQUIRED") == "1"
field.save!
puts "TG_FIELD=#{name}"
