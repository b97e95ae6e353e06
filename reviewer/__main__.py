from reviewer.app_entry import main

raise SystemExit(main())
