# Seeds a project with open alert issues for the reconciliation benchmark, in one bulk insert
# (REST would take minutes for 5,000). Run by bench/cold_start.py with bin/rails runner as
# www-data. Each issue is its own nested-set tree (root_id = id, lft 1, rgt 2), as Redmine makes a
# parentless issue.
project = Project.find(Integer(ENV.fetch('TG_PROJECT')))
count = Integer(ENV.fetch('TG_COUNT'))
tracker = Tracker.find(Integer(ENV.fetch('TG_TRACKER')))
status = tracker.default_status || IssueStatus.where(is_closed: false).order(:position).first
priority = IssuePriority.default || IssuePriority.active.first
author = User.find_by!(login: ENV.fetch('TG_AUTHOR'))
now = Time.now.utc
rows = (1..count).map do |i|
  { project_id: project.id, tracker_id: tracker.id,
    subject: format('[Alert] BenchRecon%02d (recon-host-%05d)', i % 50, i),
    description: "seeded for the reconciliation benchmark (#{i})",
    status_id: status.id, priority_id: priority.id, author_id: author.id,
    created_on: now, updated_on: now, start_date: now.to_date, done_ratio: 0,
    is_private: false, lock_version: 0, lft: 1, rgt: 2 }
end
ActiveRecord::Base.transaction do
  rows.each_slice(1000) { |slice| Issue.insert_all(slice) }
  Issue.where(project_id: project.id, root_id: nil).update_all('root_id = id')
end
puts "TG_SEEDED #{Issue.open.where(project_id: project.id).count}"
